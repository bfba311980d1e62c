import CardManagement
import Foundation

/// What the workflow personalises a card with: a validated application (`ApplicationValidator`)
/// with the name as the clerk resolved it and the photo to print (nil under 7).
public struct IssuanceRequest: Sendable, Hashable {
    public var application: Application
    /// The name with every `[PINYIN]` placeholder replaced by the character the clerk typed.
    public var name: String
    public var photoJPEG: Data?

    public init(application: Application, name: String, photoJPEG: Data?) {
        self.application = application; self.name = name; self.photoJPEG = photoJPEG
    }
}
