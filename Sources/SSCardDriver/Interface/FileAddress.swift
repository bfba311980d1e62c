/// `pFileAddr` of iReadCard and iWriteCard: which files and items, in order, e.g.
/// `SSSEEF05|06|07|$SSSEEF06|08|09|$` — a file name (ADF "SSSE" + "EF" + the EF id in hex),
/// `|`, each item as its record tag in hex followed by `|`, then `$` (38号文, as public callers
/// use it, e.g. GodKingMini/GuiZhouZunYiZhuoMianZhiKa `Sporcard/FormMain.cs`).
/// The read output and `pWriteData` mirror it with values in place of tags.
public struct FileAddress: Hashable, Sendable, CustomStringConvertible {
    /// One file of the address and its items in the caller's order.
    public struct FileItems: Hashable, Sendable {
        public var file: SSSEFile
        public var elements: [CardElement]

        public init(file: SSSEFile, elements: [CardElement]) {
            self.file = file
            self.elements = elements
        }
    }

    /// The files in the caller's order.
    public var files: [FileItems]

    public init(files: [FileItems]) {
        self.files = files
    }

    /// The files as (file, elements) pairs.
    public var pairs: [(file: SSSEFile, elements: [CardElement])] {
        files.map { ($0.file, $0.elements) }
    }

    /// Parses `pFileAddr`. Everything wrong → −14 with a message naming the file or item: empty
    /// text, a missing `|` or `$`, a file other than SSSEEF05…08 (local dialects such as
    /// `3F00EF06` or `DF01EF05` included), a file with no items, an item that is not 2 hex
    /// digits, a tag the file does not hold, a file or tag given twice. Hex may be lower-case.
    public init(parsing text: String) throws(InterfaceError) {
        let bodies = try Self.fileBodies(text, parameter: "pFileAddr")
        var files: [FileItems] = []
        for (index, body) in bodies.enumerated() {
            let file = try Self.file(named: body.name, position: index + 1, parameter: "pFileAddr")
            guard !files.contains(where: { $0.file == file }) else {
                throw .badParameter("pFileAddr 文件 \(body.name) 重复", "pFileAddr: file \(body.name) appears twice")
            }
            guard !body.items.isEmpty else {
                throw .badParameter("pFileAddr 文件 \(body.name) 没有数据项", "pFileAddr: file \(body.name) names no item")
            }
            var elements: [CardElement] = []
            for item in body.items {
                guard item.unicodeScalars.count == 2, InterfaceFields.isHex(item), let tag = [UInt8](hex: item)?.first else {
                    throw .badParameter("pFileAddr 文件 \(body.name) 的数据项 \(InterfaceFields.quoted(item)) 应为2位十六进制记录标识",
                                        "pFileAddr: item \(InterfaceFields.quoted(item)) of \(body.name) is not a 2-hex-digit record tag")
                }
                guard let element = CardElement.element(file: file, tag: tag) else {
                    throw .badParameter("pFileAddr 文件 \(body.name) 中没有数据项 \(item)",
                                        "pFileAddr: \(body.name) holds no item \(item)")
                }
                guard !elements.contains(element) else {
                    throw .badParameter("pFileAddr 文件 \(body.name) 的数据项 \(item) 重复",
                                        "pFileAddr: item \(item) of \(body.name) appears twice")
                }
                elements.append(element)
            }
            files.append(FileItems(file: file, elements: elements))
        }
        self.files = files
    }

    /// The `pFileAddr` text, tags in upper-case hex.
    public var interfaceText: String {
        files.map { f in f.file.interfaceName + "|" + f.elements.map { [$0.tag].hexString + "|" }.joined() + "$" }.joined()
    }

    public var description: String { interfaceText }

    /// The read output of iReadCard: this address with each tag replaced by its value,
    /// `SSSEEF05|<v>|<v>|$SSSEEF06|…|$`. An element missing from `values` (a record the card
    /// does not have, as EF06 of a blank card) is written empty. Values come from
    /// `CardElement.interfaceValue(ofCardBytes:)`, which never yields `|` or `$`.
    public func readOutput(values: [CardElement: String]) -> String {
        files.map { f in f.file.interfaceName + "|" + f.elements.map { (values[$0] ?? "") + "|" }.joined() + "$" }.joined()
    }

    // MARK: Syntax shared with pWriteData

    /// One `NAME|item|item|$` of a parameter, split but not interpreted.
    struct FileBody {
        var name: String
        var items: [String]
    }

    /// Splits `text` into files: each must end with `$`, and inside it the name and every item
    /// with `|`.
    static func fileBodies(_ text: String, parameter: String) throws(InterfaceError) -> [FileBody] {
        guard !text.isEmpty else {
            throw .badParameter("\(parameter) 为空", "\(parameter) is empty")
        }
        guard let fileTexts = InterfaceFields.terminated(text, by: "$") else {
            let tail = InterfaceFields.quoted(InterfaceFields.unterminatedTail(text, by: "$"))
            throw .badParameter("\(parameter) 的 \(tail) 缺少结尾的“$”", "\(parameter): \(tail) lacks its closing $")
        }
        var bodies: [FileBody] = []
        for (index, fileText) in fileTexts.enumerated() {
            guard !fileText.isEmpty else {
                throw .badParameter("\(parameter) 第\(index + 1)个文件为空（“$”前没有内容）",
                                    "\(parameter): file \(index + 1) is empty (nothing before its $)")
            }
            guard let fields = InterfaceFields.terminated(fileText, by: "|") else {
                throw .badParameter("\(parameter) 第\(index + 1)个文件 \(InterfaceFields.quoted(fileText)) 在“$”前缺少“|”",
                                    "\(parameter): file \(index + 1) \(InterfaceFields.quoted(fileText)) lacks the | before its $")
            }
            bodies.append(FileBody(name: fields[0], items: Array(fields.dropFirst())))
        }
        return bodies
    }

    /// The SSSE file named `name` ("SSSEEF05"; the EF id's hex may be lower-case).
    static func file(named name: String, position: Int, parameter: String) throws(InterfaceError) -> SSSEFile {
        let scalars = Array(name.unicodeScalars)
        if scalars.count == 8, String(String.UnicodeScalarView(scalars[0..<6])) == "SSSEEF",
           let id = [UInt8](hex: String(String.UnicodeScalarView(scalars[6..<8]))),
           InterfaceFields.isHex(String(String.UnicodeScalarView(scalars[6..<8]))),
           let file = SSSEFile(rawValue: id[0]) {
            return file
        }
        throw .badParameter("\(parameter) 第\(position)个文件名 \(InterfaceFields.quoted(name)) 不是SSSEEF05至SSSEEF08",
                            "\(parameter): file \(position) name \(InterfaceFields.quoted(name)) is not one of SSSEEF05…SSSEEF08")
    }
}
