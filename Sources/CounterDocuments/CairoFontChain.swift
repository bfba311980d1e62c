import CCairo
import CFreeType
import Foundation
import SSCardDriver
import SSCardPrinter

/// The card face's font chain (`DriverConfiguration.fontChain`, SSCardPrinter's `FontChain`)
/// as cairo font faces: each character of a document is drawn with the first face of the chain
/// that has its glyph — the choice `FontChain.faceIndex(for:)` makes for the card — so a rare
/// character of a holder's name (《广东省社会保障卡经办规程》附件9, 支持生僻字) prints on the
/// receipt exactly where it prints on the card.
///
/// `@unchecked Sendable`: the FreeType faces and cairo font faces are used only while `lock`
/// is held (`DocumentRenderer` takes it for a whole document). They are opened once per chain
/// and process (`shared`) and never freed, so no cairo font face can outlive its `FT_Face`.
final class CairoFontChain: @unchecked Sendable {
    let lock = NSLock()
    /// The card's chain: decides which face draws each character.
    let chain: FontChain
    /// One cairo font face per chain face, same order.
    let faces: [OpaquePointer]
    private var library: FT_Library?

    private init(faces fontFaces: [DriverConfiguration.FontFace]) throws(DocumentError) {
        do { chain = try FontChain.shared(fontFaces) } catch {
            throw .fontUnavailable(path: fontFaces.first?.path ?? "", reason: "\(error)")
        }
        var lib: FT_Library?
        guard FT_Init_FreeType(&lib) == 0, let lib else { throw .fontUnavailable(path: "FreeType", reason: "FT_Init_FreeType failed") }
        library = lib
        var made: [OpaquePointer] = []
        for font in fontFaces {
            var face: FT_Face?
            let opened = FT_New_Face(lib, font.path, FT_Long(font.faceIndex), &face)
            guard opened == 0, let face else {
                throw .fontUnavailable(path: font.path, reason: "FreeType error \(opened): " + String(cString: CFreeType_errorString(opened)))
            }
            _ = FT_Select_Charmap(face, FT_ENCODING_UNICODE)
            guard let cairoFace = cairo_ft_font_face_create_for_ft_face(face, 0) else {
                throw .cairo("cairo_ft_font_face_create_for_ft_face returned nothing for \(font.path)")
            }
            made.append(cairoFace)
        }
        faces = made
    }

    /// The chain for `faces`, opened once per process.
    static func shared(_ faces: [DriverConfiguration.FontFace]) throws(DocumentError) -> CairoFontChain {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let open = cache[faces] { return open }
        let opened = try CairoFontChain(faces: faces)
        cache[faces] = opened
        return opened
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [[DriverConfiguration.FontFace]: CairoFontChain] = [:]

    /// `text` cut into runs drawn by one face each; a variation selector stays with the
    /// character before it. Throws for a character no face has.
    func runs(_ text: String) throws(DocumentError) -> [(face: Int, text: String)] {
        var runs: [(face: Int, text: String)] = []
        for scalar in text.unicodeScalars {
            let isSelector = (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value)
            if isSelector, !runs.isEmpty {
                runs[runs.count - 1].text.unicodeScalars.append(scalar)
                continue
            }
            // Control characters (a stray tab or line feed in a name) are not drawn.
            if scalar.properties.generalCategory == .control { continue }
            guard let face = chain.faceIndex(for: scalar) else {
                throw .unprintableCharacter("U+\(String(scalar.value, radix: 16, uppercase: true)) \(Character(scalar))")
            }
            if let last = runs.last, last.face == face {
                runs[runs.count - 1].text.unicodeScalars.append(scalar)
            } else {
                runs.append((face, String(scalar)))
            }
        }
        return runs
    }
}
