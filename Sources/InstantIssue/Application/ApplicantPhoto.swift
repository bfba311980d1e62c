import Foundation
import SSCardDriver
import SSCardPrinter

/// The photo rules of the province (《广东省社会保障卡经办规程》附件6 批量申请数据文件格式说明),
/// as numbers a site can change.
///
/// 附件6: JPEG, 358 × 441 px, 350 dpi, 24-bit RGB true colour, "一般相片的文件大小为14K~40K".
/// That size is what a quality-70 encoder usually produces, not a limit, so the default
/// accepts 4–60 KB ([design]: a plain background compresses below 14 KB, a detailed one
/// above 40 KB; anything outside 4–60 KB is a thumbnail or an unprocessed camera file).
/// Children under 7 get no photo (《规程》第五条: "未满七周岁的学龄前儿童不采集和印刷相片，
/// 相片区域空置"); from 7 a photo is required.
public struct PhotoRules: Hashable, Sendable, Codable {
    /// Width × height in pixels (附件6: 358 × 441).
    public var width: Int
    public var height: Int
    /// Smallest and largest file, in bytes ([design] 4 KB–60 KB around 附件6's 14–40 KB).
    public var minimumBytes: Int
    public var maximumBytes: Int
    /// Below this age (周岁 at the issue date) the card has no photo (第五条: 7).
    public var photoFromAge: Int
    /// Refuse a picture with no colour in it (附件6: "正面免冠彩色头像", 24-bit RGB true colour).
    public var refuseBlackAndWhite: Bool

    public init(width: Int = 358, height: Int = 441, minimumBytes: Int = 4 * 1024, maximumBytes: Int = 60 * 1024,
                photoFromAge: Int = 7, refuseBlackAndWhite: Bool = true) {
        self.width = width; self.height = height
        self.minimumBytes = minimumBytes; self.maximumBytes = maximumBytes
        self.photoFromAge = photoFromAge; self.refuseBlackAndWhite = refuseBlackAndWhite
    }

    /// The channel spread (max − min of R, G, B) a pixel must exceed for the picture to
    /// count as colour: JPEG noise on a grey picture stays within a few levels ([design]).
    static let colourSpread = 12
}

/// The holder's photo, checked against `PhotoRules`: the bytes the card face will print.
public struct ApplicantPhoto: Hashable, Sendable {
    public let jpeg: Data
    public let width: Int
    public let height: Int

    /// Checks `jpeg`. Refused, every problem found: no JPEG start (SOI, FF D8) or end
    /// (EOI, FF D9) marker; a frame that is not 8-bit, 3-component (24-bit colour); does not
    /// decode through the driver's `PhotoDecoder` (what the card face will do, so a photo
    /// that passes here prints); wrong size in pixels or bytes; a black-and-white picture.
    public init(jpeg: Data, rules: PhotoRules = PhotoRules()) throws(Refusal) {
        let bytes = [UInt8](jpeg)
        var problems: [Problem] = []
        if bytes.count < rules.minimumBytes || bytes.count > rules.maximumBytes {
            problems.append(.fileSize(bytes: bytes.count, minimum: rules.minimumBytes, maximum: rules.maximumBytes))
        }
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw Refusal(problems + [.notJPEG(start: bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " "))])
        }
        // Cameras and editors may pad after EOI with zero bytes; nothing else may follow.
        let end = bytes.lastIndex { $0 != 0 } ?? 0
        if end < 3 || bytes[end - 1] != 0xFF || bytes[end] != 0xD9 { problems.append(.noEndMarker) }
        if let frame = Self.frame(of: bytes), frame.precision != 8 || frame.components != 3 {
            problems.append(.notTrueColour(bitsPerSample: frame.precision, components: frame.components))
        }
        var decoded: RGBImage?
        do throws(PhotoError) {
            decoded = try PhotoDecoder.decode(jpeg: bytes)
        } catch {
            problems.append(.undecodable(error))
        }
        if let decoded {
            if decoded.width != rules.width || decoded.height != rules.height {
                problems.append(.dimensions(width: decoded.width, height: decoded.height, expectedWidth: rules.width, expectedHeight: rules.height))
            }
            if rules.refuseBlackAndWhite, !problems.contains(where: { if case .notTrueColour = $0 { true } else { false } }),
               !Self.hasColour(decoded) {
                problems.append(.blackAndWhite)
            }
        }
        guard problems.isEmpty, let decoded else { throw Refusal(problems) }
        self.jpeg = jpeg
        width = decoded.width
        height = decoded.height
    }

    /// The first frame header (SOF0–SOF15 but DHT, JPG, DAC): sample precision and number of
    /// components. Nil when the marker walk finds none before the scan.
    static func frame(of bytes: [UInt8]) -> (precision: Int, components: Int)? {
        var i = 2
        while i + 3 < bytes.count {
            guard bytes[i] == 0xFF else { return nil }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }  // no length
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                guard i + 9 < bytes.count else { return nil }
                return (Int(bytes[i + 4]), Int(bytes[i + 9]))
            }
            if marker == 0xDA || length < 2 { return nil }  // scan before any frame
            i += 2 + length
        }
        return nil
    }

    /// True when some pixel shows colour (channel spread above `PhotoRules.colourSpread`).
    static func hasColour(_ image: RGBImage) -> Bool {
        image.pixels.withUnsafeBufferPointer { p in
            var i = 0
            while i + 2 < p.count {
                let r = Int(p[i]), g = Int(p[i + 1]), b = Int(p[i + 2])
                if max(r, g, b) - min(r, g, b) > PhotoRules.colourSpread { return true }
                i += 3
            }
            return false
        }
    }
}

extension ApplicantPhoto {
    /// What is wrong with a photo; each says what the clerk should do.
    public enum Problem: Hashable, Sendable, CustomStringConvertible {
        /// Does not start with the JPEG SOI marker; `start` shows the first bytes.
        case notJPEG(start: String)
        /// No EOI marker at the end: the file was cut short.
        case noEndMarker
        /// The frame is not 8 bits × 3 components (greyscale, CMYK, 12-bit).
        case notTrueColour(bitsPerSample: Int, components: Int)
        case undecodable(PhotoError)
        case dimensions(width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
        case fileSize(bytes: Int, minimum: Int, maximum: Int)
        case blackAndWhite

        static let retake = "请重新采集或上传符合标准的相片"
        static let retakeEnglish = "take or upload a photo that meets the standard"

        public var chinese: String {
            switch self {
            case .notJPEG(let start): "相片不是JPEG文件（开头为 \(start.isEmpty ? "空" : start)）。" + Self.retake
            case .noEndMarker: "相片JPEG文件不完整（缺少结束标记FFD9），可能传输中断。" + Self.retake
            case .notTrueColour(let bits, let n): "相片不是24位彩色（每分量\(bits)位、\(n)个分量）。" + Self.retake
            case .undecodable(let error): "相片无法解码：\(error.chineseMessage)。" + Self.retake
            case .dimensions(let w, let h, let ew, let eh): "相片为\(w)×\(h)像素，应为\(ew)×\(eh)像素。" + Self.retake
            case .fileSize(let b, let lo, let hi): "相片文件\(b)字节，不在\(lo / 1024)KB至\(hi / 1024)KB之间。" + Self.retake
            case .blackAndWhite: "相片是黑白照片，须为彩色。" + Self.retake
            }
        }

        public var english: String {
            switch self {
            case .notJPEG(let start): "the photo is not a JPEG file (it starts with \(start.isEmpty ? "nothing" : start)); " + Self.retakeEnglish
            case .noEndMarker: "the photo's JPEG file is incomplete (no FFD9 end marker), perhaps cut off in transfer; " + Self.retakeEnglish
            case .notTrueColour(let bits, let n): "the photo is not 24-bit colour (\(n) component(s) of \(bits) bits); " + Self.retakeEnglish
            case .undecodable(let error): "the photo cannot be decoded: \(error.englishMessage); " + Self.retakeEnglish
            case .dimensions(let w, let h, let ew, let eh): "the photo is \(w) × \(h) px, it must be \(ew) × \(eh) px; " + Self.retakeEnglish
            case .fileSize(let b, let lo, let hi): "the photo file has \(b) bytes, outside \(lo / 1024)–\(hi / 1024) KB; " + Self.retakeEnglish
            case .blackAndWhite: "the photo is black and white, it must be in colour; " + Self.retakeEnglish
            }
        }

        public var description: String { chinese + " / " + english }
    }

    /// The photo's problems, all of them.
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        public let problems: [Problem]
        init(_ problems: [Problem]) { self.problems = problems }
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }
}
