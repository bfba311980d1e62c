import CardManagement
import Foundation
import InstantIssue
import SSCardDriver
import SSCardPrinter

/// Pictures the desk makes with the project's own renderer (`CardFaceRenderer`, the font chain
/// of the driver configuration): one character as the card would print it, and the card face
/// an application would get. What the page shows is what the printer would get.
struct FacePictures: Sendable {
    let station: Station

    var renderer: CardFaceRenderer {
        get throws { try CardFaceRenderer(configuration: station.driver.configuration) }
    }

    /// One character at 20 pt in the name's font, cropped to its box, as PNG; or why it cannot
    /// be printed.
    func glyph(_ character: String) throws -> [UInt8] {
        let item = PrintTextItem(itemName: "姓名", text: character, fontName: "宋体-18030", sizePoints: 20, left: 20, top: 20)
        let face = try renderer.render(PrintItems(texts: [item], photos: []))
        guard let box = face.texts.first?.box else { return try PNGWriter.data(RGBImage(width: 1, height: 1)) }
        return try PNGWriter.data(Self.crop(face.rgb, box))
    }

    /// The face an application gets today with these characters typed for its placeholders
    /// (the card number is the next one the hopper holds, as a sample).
    func preview(_ application: Application, name: String) throws -> [UInt8] {
        let cardNumber = (try? station.stock.cards(state: .inHopper, bank: application.bank, limit: 1).first?.cardNumber.value) ?? nil
        let holder = CardFaceHolder(name: name, socialSecurityNumber: application.socialSecurityNumber,
                                    cardNumber: cardNumber ?? "", issueDate: Self.today(), photoJPEG: application.photoJPEG)
        let job = try ProvinceLayout.reference.job(for: holder, units: PrintUnits(station.driver.configuration.printUnits), exit: .good)
        return try PNGWriter.data(renderer.render(job).rgb)
    }

    static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyyMMdd"
        return f.string(from: Date())
    }

    /// The part of `image` inside `box`, a few dots of margin around it.
    static func crop(_ image: RGBImage, _ box: DotRect) -> RGBImage {
        let left = max(0, Int(box.left.rounded(.down)) - 4), top = max(0, Int(box.top.rounded(.down)) - 4)
        let right = min(image.width, Int(box.right.rounded(.up)) + 4), bottom = min(image.height, Int(box.bottom.rounded(.up)) + 4)
        guard right > left, bottom > top else { return RGBImage(width: 1, height: 1) }
        var out = RGBImage(width: right - left, height: bottom - top)
        for y in top..<bottom {
            let from = (y * image.width + left) * 3, to = ((y - top) * out.width) * 3
            out.pixels.replaceSubrange(to..<(to + out.width * 3), with: image.pixels[from..<(from + out.width * 3)])
        }
        return out
    }
}

/// The check of one typed character against the placeholder it replaces and the font chain.
struct CharacterCheck: Sendable, Encodable {
    var placeholder: String
    var typed: String
    var ok: Bool
    var reasonZh: String?
    var reasonEn: String?

    static func check(placeholder: String, typed: String, fonts: FontChain) -> CharacterCheck {
        guard !typed.isEmpty else {
            return CharacterCheck(placeholder: placeholder, typed: typed, ok: false, reasonZh: "请输入汉字", reasonEn: "type the character")
        }
        do throws(ApplicantName.Refusal) {
            _ = try ApplicantName("[\(placeholder)]").resolved(with: [typed], fonts: fonts)
            return CharacterCheck(placeholder: placeholder, typed: typed, ok: true)
        } catch {
            return CharacterCheck(placeholder: placeholder, typed: typed, ok: false,
                                  reasonZh: error.problems.map(\.chinese).joined(separator: "；"),
                                  reasonEn: error.problems.map(\.english).joined(separator: "; "))
        }
    }
}
