import SSCardDriver
import SSCardPrinter

/// Strings across the C boundary: read with a length limit, decoded in the configured
/// encoding, written NUL-terminated and cut on a character boundary to fit the buffer.
enum ABIText {
    /// Longest input string accepted (bytes before the NUL): iPrint photos are base64 JPEGs.
    static let maximumInputBytes = 1 << 20

    /// The text at `pointer`, or an interface error naming `parameter`.
    static func read(_ pointer: UnsafePointer<CChar>?, parameter: String, encoding: DriverConfiguration.StringEncodingSetting) -> Result<String, ABIFailure> {
        guard let pointer else { return .failure(ABIFailure(code: -14, message: "参数 \(parameter) 为空 / \(parameter) is NULL")) }
        var length = 0
        while pointer[length] != 0 {
            length += 1
            if length > maximumInputBytes {
                return .failure(ABIFailure(code: -42, message: "参数 \(parameter) 过长 / \(parameter) is longer than \(maximumInputBytes) bytes"))
            }
        }
        let bytes = UnsafeRawBufferPointer(start: pointer, count: length).map { $0 }
        let text: String?
        switch encoding {
        case .gb18030: text = GB18030.decode(bytes)
        case .utf8: text = String(validating: bytes, as: UTF8.self)
        }
        guard let text else {
            return .failure(ABIFailure(code: -41, message: "参数 \(parameter) 含非法字符编码 / \(parameter) is not valid \(encoding.rawValue)"))
        }
        return .success(text)
    }

    /// Writes `text` into `buffer` of `capacity` bytes: NUL-terminated, never past the end,
    /// never splitting a character.
    static func write(_ text: String, to buffer: UnsafeMutablePointer<CChar>, capacity: Int, encoding: DriverConfiguration.StringEncodingSetting) {
        guard capacity > 0 else { return }
        var bytes: [UInt8] = []
        var used = 0
        for character in text {
            let piece: [UInt8]
            switch encoding {
            case .gb18030: piece = GB18030.encode(String(character)) ?? Array("?".utf8)
            case .utf8: piece = Array(String(character).utf8)
            }
            guard used + piece.count <= capacity - 1 else { break }
            bytes += piece
            used += piece.count
        }
        for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
        buffer[used] = 0
    }
}

/// A failure detected at the boundary, before the driver runs.
struct ABIFailure: Error {
    var code: Int
    var message: String
}
