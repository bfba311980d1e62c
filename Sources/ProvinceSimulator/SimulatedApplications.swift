import Foundation
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import CardManagement

/// The sample applications (样例申请) the province simulator is seeded with, for the demo and
/// the tests. Every one is for region 411600 (周口) and the bank "模拟银行", the bank of the
/// simulated pre-made cards in both hoppers of the virtual printer (`PreMadeCardSpec.sample`),
/// and every 社会保障号码 carries a valid GB 11643 check character.
///
/// | ID | Who | Case |
/// |---|---|---|
/// | DEMO-0001 | 张三, adult, photo | plain new card |
/// | DEMO-0002 | 张[CHUI], photo | rare character for the clerk to resolve (《广东省社会保障卡经办规程》第三十四条) |
/// | DEMO-0003 | 王小明, born 2022, no photo | child under 7 (《规程》附件6) |
/// | DEMO-0004 | 李四 | already holds card Y41160001 (正常): 一人一卡 conflict |
/// | DEMO-0005 | 赵六, 补卡 | replaces his lost card Y41160002 (挂失) |
/// | DEMO-0006 | 孙七, 换卡 | replaces her worn card Y41160003 (正常) |
public enum SimulatedApplications {
    /// The bank of the simulated pre-made cards.
    public static let bank = "模拟银行"
    /// 周口, the region of the simulated pre-made cards.
    public static let regionCode = "411600"

    /// A card the person already holds in the province, seeded into the 一人一卡 registry.
    public struct HeldCard: Hashable, Sendable {
        public var cardNumber: String
        public var socialSecurityNumber: String
        public var regionCode: String
        /// "正常", "临时挂失", "正式挂失", "锁定" or "已注销" (`OldCardState`).
        public var state: String
    }

    /// One seeded application and the card it replaces (补卡/换卡), if any.
    public struct Sample: Hashable, Sendable {
        public var application: Application
        public var replacing: String?
    }

    /// The seeded applications, in ID order.
    public static func samples() -> [Sample] {
        let photo = samplePhotoJPEG
        func app(_ id: String, _ kind: Application.Kind, _ name: String, _ first17: String, sex: String,
                 birth: String, photo: Data?) -> Application {
            Application(id: id, kind: kind, name: name, socialSecurityNumber: citizenNumber(first17), sex: sex,
                        ethnicity: "01", birthDate: birth, birthPlace: "411602", bank: bank, regionCode: regionCode,
                        photoJPEG: photo)
        }
        return [
            Sample(application: app("DEMO-0001", .new, "张三", "41160219810101001", sex: "1", birth: "19810101", photo: photo)),
            Sample(application: app("DEMO-0002", .new, "张[CHUI]", "41160219900307002", sex: "2", birth: "19900307", photo: photo)),
            Sample(application: app("DEMO-0003", .new, "王小明", "41160220220601003", sex: "1", birth: "20220601", photo: nil)),
            Sample(application: app("DEMO-0004", .new, "李四", "41160219750505011", sex: "1", birth: "19750505", photo: photo)),
            Sample(application: app("DEMO-0005", .replacement, "赵六", "41160219680808013", sex: "1", birth: "19680808", photo: photo),
                   replacing: "Y41160002"),
            Sample(application: app("DEMO-0006", .renewal, "孙七", "41160219920229024", sex: "2", birth: "19920229", photo: photo),
                   replacing: "Y41160003"),
        ]
    }

    /// The cards the seeded people already hold.
    public static func heldCards() -> [HeldCard] {
        [
            HeldCard(cardNumber: "Y41160001", socialSecurityNumber: citizenNumber("41160219750505011"), regionCode: regionCode, state: "正常"),
            HeldCard(cardNumber: "Y41160002", socialSecurityNumber: citizenNumber("41160219680808013"), regionCode: regionCode, state: "正式挂失"),
            HeldCard(cardNumber: "Y41160003", socialSecurityNumber: citizenNumber("41160219920229024"), regionCode: regionCode, state: "正常"),
        ]
    }

    /// The 18-character citizen number for the first 17 digits: GB 11643 (ISO 7064 MOD 11-2)
    /// check character appended. Anything but 17 digits is a programmer error (traps).
    public static func citizenNumber(_ first17: String) -> String {
        let digits = first17.utf8.map { Int($0) - 0x30 }
        precondition(digits.count == 17 && digits.allSatisfy { (0...9).contains($0) }, "17 digits expected")
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = Array("10X98765432")[sum % 11]
        return first17 + String(check)
    }

    /// A 358 × 441 JPEG (the province's photo size): white background, a grey-blue head and
    /// shoulders. Made with libjpeg once per process.
    public static let samplePhotoJPEG: Data = {
        let width = 358, height = 441
        var pixels = [UInt8](repeating: 255, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x - width / 2) / 70, dy = Double(y - 170) / 90
                let head = dx * dx + dy * dy <= 1
                let sx = Double(x - width / 2) / 160, sy = Double(y - 441) / 150
                let shoulders = y > 280 && sx * sx + sy * sy <= 1
                guard head || shoulders else { continue }
                let i = (y * width + x) * 3
                if head { pixels[i] = 226; pixels[i + 1] = 190; pixels[i + 2] = 160 } else { pixels[i] = 40; pixels[i + 1] = 60; pixels[i + 2] = 110 }
            }
        }
        // A valid 358 × 441 RGB image always encodes.
        let jpeg = try! PhotoDecoder.encodeJPEG(RGBImage(width: width, height: height, pixels: pixels)!, quality: 90)
        return Data(jpeg)
    }()
}
