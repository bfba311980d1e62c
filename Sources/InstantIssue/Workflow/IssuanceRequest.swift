import CardManagement
import Foundation

/// What the workflow personalises a card with: a validated application (`ApplicationValidator`)
/// with its 社会保障号码 parsed, the name as the clerk resolved it and the photo to print (nil
/// under 7).
public struct IssuanceRequest: Sendable, Hashable {
    public var application: Application
    /// The application's 社会保障号码, parsed: what the chip, the face and the CA request get.
    public var socialSecurityNumber: SocialSecurityNumber
    /// The name with every `[PINYIN]` placeholder replaced by the character the clerk typed.
    public var name: String
    public var photoJPEG: Data?

    public init(application: Application, socialSecurityNumber: SocialSecurityNumber, name: String, photoJPEG: Data?) {
        self.application = application; self.socialSecurityNumber = socialSecurityNumber
        self.name = name; self.photoJPEG = photoJPEG
    }

    /// For an application that did not go through `ApplicationValidator` (benchmarks, tests):
    /// its 社会保障号码 parsed here, the first problem thrown.
    public init(application: Application, name: String, photoJPEG: Data?) throws(SocialSecurityNumber.Problem) {
        self.init(application: application, socialSecurityNumber: try SocialSecurityNumber(application.socialSecurityNumber),
                  name: name, photoJPEG: photoJPEG)
    }
}
