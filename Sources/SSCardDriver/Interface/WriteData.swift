/// `pWriteData` of iWriteCard and iWriteCard_HSM_Step2: the `pFileAddr` of the same call with a
/// value in place of every tag, e.g. `SSSEEF06|520102198506020233|林岩|$` for `SSSEEF06|08|09|$`.
/// Every value is checked and encoded for its element before anything touches the card.
/// (38号文 says iWriteCard writes only the first file; choosing the files is the caller's job.)
public struct WriteData: Hashable, Sendable {
    /// One value to write: the element, the value as the caller gave it, its card bytes.
    public struct Item: Hashable, Sendable {
        public var element: CardElement
        public var value: String
        public var cardBytes: [UInt8]
    }

    /// One file and its items, in the address's order.
    public struct FileValues: Hashable, Sendable {
        public var file: SSSEFile
        public var items: [Item]
    }

    public var files: [FileValues]

    /// Parses `text` against `address`. Broken syntax (a missing `|` or `$`, an empty text) →
    /// −14; a file name or a value count that does not mirror the address → −23; a value its
    /// element refuses → −41/−42 (−20 for the 卡识别码), see `CardElement.validate`.
    public init(parsing text: String, address: FileAddress) throws(InterfaceError) {
        let bodies = try FileAddress.fileBodies(text, parameter: "pWriteData")
        guard bodies.count == address.files.count else {
            throw InterfaceError(.illegalData,
                                 detail: "pWriteData 有\(bodies.count)个文件，pFileAddr 有\(address.files.count)个",
                                 englishDetail: "pWriteData holds \(bodies.count) files, pFileAddr \(address.files.count)")
        }
        var files: [FileValues] = []
        for (index, (body, wanted)) in zip(bodies, address.files).enumerated() {
            guard body.name == wanted.file.interfaceName
                    || (try? FileAddress.file(named: body.name, position: index + 1, parameter: "pWriteData")) == wanted.file else {
                throw InterfaceError(.illegalData,
                                     detail: "pWriteData 第\(index + 1)个文件 \(InterfaceFields.quoted(body.name)) 与 pFileAddr 的 \(wanted.file.interfaceName) 不符",
                                     englishDetail: "pWriteData: file \(index + 1) \(InterfaceFields.quoted(body.name)) does not match \(wanted.file.interfaceName) of pFileAddr")
            }
            guard body.items.count == wanted.elements.count else {
                throw InterfaceError(.illegalData,
                                     detail: "pWriteData 文件 \(wanted.file.interfaceName) 有\(body.items.count)个值，pFileAddr 有\(wanted.elements.count)个数据项",
                                     englishDetail: "pWriteData: \(wanted.file.interfaceName) holds \(body.items.count) values, pFileAddr names \(wanted.elements.count) items")
            }
            var items: [Item] = []
            for (value, element) in zip(body.items, wanted.elements) {
                items.append(Item(element: element, value: value, cardBytes: try element.cardBytes(forInterfaceValue: value)))
            }
            files.append(FileValues(file: wanted.file, items: items))
        }
        self.files = files
    }

    /// The `pWriteData` text: `SSSEEF05|<value>|…|$…`.
    public var interfaceText: String {
        files.map { f in f.file.interfaceName + "|" + f.items.map { $0.value + "|" }.joined() + "$" }.joined()
    }
}
