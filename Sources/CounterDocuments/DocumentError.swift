import Foundation

/// Why a document could not be made, printed or filed. Each keeps its cause (the cairo status,
/// the `lp` message, the file error) and reads in Chinese and English.
public enum DocumentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No font of the chain has this character: the paper would show a blank where a name is.
    case unprintableCharacter(String)
    /// A font of the chain could not be opened (path, FreeType error).
    case fontUnavailable(path: String, reason: String)
    /// cairo refused (its status text).
    case cairo(String)
    /// The document's reference is not 1–64 letters, digits, `-` or `_`.
    case badReference(String)
    /// The CUPS queue did not take the job (`lp`'s words, its exit status).
    case printFailed(queue: String, reason: String)
    /// The private copy could not be written (path, reason).
    case saveFailed(path: String, reason: String)
    /// The outlet's shared books did not take their copy (name, reason); nothing was printed.
    case archiveFailed(name: String, reason: String)

    public var chineseMessage: String {
        switch self {
        case .unprintableCharacter(let c): "字体链中没有字符 \(c) 的字形，无法打印单据"
        case .fontUnavailable(let path, let reason): "无法打开字体 \(path)：\(reason)"
        case .cairo(let status): "生成 PDF 失败：\(status)"
        case .badReference(let r): "单据编号“\(r)”只能由字母、数字、- 和 _ 组成（1至64个）"
        case .printFailed(let queue, let reason): "打印队列 \(queue) 未接收单据：\(reason)"
        case .saveFailed(let path, let reason): "无法保存单据 \(path)：\(reason)"
        case .archiveFailed(let name, let reason): "单据 \(name) 未能存入网点共享库，未打印：\(reason)"
        }
    }

    public var englishMessage: String {
        switch self {
        case .unprintableCharacter(let c): "no font of the chain has a glyph for \(c); the document cannot print"
        case .fontUnavailable(let path, let reason): "cannot open the font \(path): \(reason)"
        case .cairo(let status): "making the PDF failed: \(status)"
        case .badReference(let r): "the document reference “\(r)” must be 1–64 letters, digits, - or _"
        case .printFailed(let queue, let reason): "the print queue \(queue) did not take the document: \(reason)"
        case .saveFailed(let path, let reason): "cannot save the document \(path): \(reason)"
        case .archiveFailed(let name, let reason): "the outlet's shared books did not take the document \(name), so it was not printed: \(reason)"
        }
    }

    public var description: String { "\(chineseMessage) / \(englishMessage)" }
}
