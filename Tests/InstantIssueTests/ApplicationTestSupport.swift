import Foundation
import SSCardDriver
import SSCardPrinter
import XCTest
@testable import InstantIssue
@testable import CardManagement

/// Shared pieces of the application-validation tests: photos, applications, a test double of
/// the card-management system for the one-person-one-card check.
enum ApplicationFixtures {
    /// The driver's default font chain (fonts-noto-cjk, fonts-babelstone-han, fonts-hanazono).
    static let fonts = try! FontChain.shared()

    /// A 358 × 441 colour photo that looks like a photo to a JPEG encoder: a soft gradient with
    /// a face-coloured ellipse and deterministic grain, so it lands inside 14–40 KB like the
    /// province's photos (flat colours would compress to a few KB).
    static let photoJPEG: Data = jpeg(width: 358, height: 441)

    static func jpeg(width: Int, height: Int, quality: Int = 75, grey: Bool = false) -> Data {
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        var seed: UInt32 = 12345
        for y in 0..<height {
            for x in 0..<width {
                seed = seed &* 1_103_515_245 &+ 12345
                let grain = Int((seed >> 16) & 15) - 8
                let dx = Double(x - width / 2) / (Double(width) * 0.22), dy = Double(y - height * 2 / 5) / (Double(height) * 0.22)
                var c = (240 - y * 20 / height, 242 - y * 10 / height, 250)
                if dx * dx + dy * dy <= 1 { c = (222 - x / 8, 184 + y / 20, 150) }
                if y > height * 3 / 4 { c = (40 + x / 10, 60, 110 + y / 20) }
                let i = (y * width + x) * 3
                let rgb = [c.0 + grain, c.1 + grain, c.2 + grain].map { UInt8(max(0, min(255, $0))) }
                if grey {
                    let v = UInt8((Int(rgb[0]) + Int(rgb[1]) + Int(rgb[2])) / 3)
                    pixels[i] = v; pixels[i + 1] = v; pixels[i + 2] = v
                } else {
                    pixels[i] = rgb[0]; pixels[i + 1] = rgb[1]; pixels[i + 2] = rgb[2]
                }
            }
        }
        return Data(try! PhotoDecoder.encodeJPEG(RGBImage(width: width, height: height, pixels: pixels)!, quality: quality))
    }

    /// 2024-05-01, the issue date of these tests.
    static let today = CalendarDate(year: 2024, month: 5, day: 1)!

    /// An adult (born 1980-01-01, man) with a valid citizen number: 440106198001010019.
    static func adult(name: String = "张三", photo: Data? = photoJPEG) -> Application {
        Application(id: "APP-1", name: name, socialSecurityNumber: "440106198001010019", sex: "1", ethnicity: "01",
                    birthDate: "19800101", birthPlace: "440106", bank: "模拟银行", regionCode: "440100", photoJPEG: photo)
    }

    /// A child born 2017-05-02: 6 on 2024-05-01, 7 on 2024-05-02. Number 440304201705020058.
    static func child(photo: Data?) -> Application {
        Application(id: "APP-2", name: "王小明", socialSecurityNumber: "440304201705020058", sex: "1", ethnicity: "01",
                    birthDate: "20170502", bank: "模拟银行", regionCode: "440300", photoJPEG: photo)
    }

    static func validator(_ system: CardManagementTestDouble = CardManagementTestDouble(), on day: CalendarDate = today) -> ApplicationValidator {
        ApplicationValidator(cardManagement: system, fonts: fonts, today: { day })
    }
}

/// A test double of `CardManagementSystem` for validation: answers the one-person-one-card
/// question with `others` (or fails with `failure`) and records what it was asked; every
/// other call is refused, since validation must not make them.
final class CardManagementTestDouble: CardManagementSystem, @unchecked Sendable {
    // @unchecked Sendable: `asked` is only touched under `lock`; the rest is immutable.
    let others: [ExistingCard]
    let failure: CardManagementError?
    private let lock = NSLock()
    private var asked: [String] = []

    init(others: [ExistingCard] = [], failure: CardManagementError? = nil) {
        self.others = others; self.failure = failure
    }

    /// The social security numbers the conflict check was asked about.
    var askedNumbers: [String] { lock.withLock { asked } }

    func conflictingCards(socialSecurityNumber: String, applicationID: String) throws(CardManagementError) -> [ExistingCard] {
        lock.withLock { asked.append(socialSecurityNumber) }
        if let failure { throw failure }
        return others
    }

    private static let notHere = CardManagementError.refused(code: "TEST", message: "not used by validation")
    func application(id: String) throws(CardManagementError) -> Application { throw Self.notHere }
    func authenticationKey(for challenge: HSMAuthenticationChallenge, access: CardAccess,
                           applicationID: String) throws(CardManagementError) -> HSMAuthenticationKey { throw Self.notHere }
    func pkiSecrets(cardIdentificationCode: CardIdentificationCode) throws(CardManagementError) -> PKICardSecrets { throw Self.notHere }
    func internalAuthentication(cardIdentificationCode: CardIdentificationCode, factor: [UInt8],
                                raw: [UInt8]) throws(CardManagementError) -> [UInt8] { throw Self.notHere }
    func externalAuthentication(cardIdentificationCode: CardIdentificationCode, keyID: UInt8,
                                challenge: [UInt8]) throws(CardManagementError) -> [UInt8] { throw Self.notHere }
    func pinCommandMAC(cardIdentificationCode: CardIdentificationCode, macInput: [UInt8]) throws(CardManagementError) -> [UInt8] { throw Self.notHere }
    func issueCertificates(_ request: CACertificateRequest, applicationID: String) throws(CardManagementError) -> CAIssuance { throw Self.notHere }
    func report(_ report: IssuanceReport) throws(CardManagementError) -> ApplicationStatus { throw Self.notHere }
    func status(applicationID: String) throws(CardManagementError) -> ApplicationStatus { throw Self.notHere }
    func activate(applicationID: String, cardNumber: String, requestID: String) throws(CardManagementError) { throw Self.notHere }
    func ledgerCheckpoint(terminal: String, sequence: Int64, head: String) throws(CardManagementError) -> [LedgerCheckpoint] { throw Self.notHere }
    func oldCard(applicationID: String) throws(CardManagementError) -> OldCard { throw Self.notHere }
    func confirmOldCardChip(_ confirmation: OldCardChipConfirmation) throws(CardManagementError) -> OldCard { throw Self.notHere }
    func cancelOldCard(_ cancellation: OldCardCancellation) throws(CardManagementError) -> OldCard { throw Self.notHere }
}
