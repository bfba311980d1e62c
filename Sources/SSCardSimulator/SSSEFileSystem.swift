import SSCardDriver

/// The records of the SSSE's elementary files (EF05 issuer data, EF06 holder data, EF07
/// fingerprint, EF08 photo): each record is `tag len value`, addressed by number or tag.
public struct SSSERecords: Hashable, Sendable {
    private var storage: [SSSEFile: [UInt8: SimpleTLV]] = [:]

    public init() {}

    /// Record `number` of `file`.
    public func record(_ file: SSSEFile, number: UInt8) -> SimpleTLV? { storage[file]?[number] }

    /// The lowest-numbered record of `file` whose tag is `tag` (READ RECORD by identifier).
    public func record(_ file: SSSEFile, tag: UInt8) -> SimpleTLV? {
        guard let records = storage[file] else { return nil }
        return records.keys.sorted().lazy.compactMap { records[$0] }.first { $0.tag == tag }
    }

    /// Record numbers present in `file`, ascending.
    public func recordNumbers(in file: SSSEFile) -> [UInt8] { storage[file]?.keys.sorted() ?? [] }

    /// Stores a record as is (the card's rules are in `RecordSlot` and UPDATE RECORD).
    public mutating func setRecord(_ file: SSSEFile, number: UInt8, _ record: SimpleTLV) {
        storage[file, default: [:]][number] = record
    }

    /// The stored value of `element`, padding included; nil if its record is absent.
    public func value(of element: CardElement) -> [UInt8]? {
        record(element.file, number: element.record).map(\.value)
    }

    /// Writes `value` into `element`'s record, padded to the element's length the way the
    /// card stores it; nil (nothing written) if the value is too long.
    @discardableResult
    public mutating func write(_ element: CardElement, value: [UInt8]) -> Bool {
        guard let slot = RecordSlot(file: element.file, number: element.record),
              let record = slot.record(value: value) else { return false }
        setRecord(element.file, number: element.record, record)
        return true
    }
}

/// Where UPDATE RECORD may write: the EF05/EF06 elements of 《社会保障卡规范》 (fixed length,
/// padded with 00 for text and binary, FF for BCD), plus one variable-length record in EF07
/// (fingerprint, tag 01, at most 1024 bytes) and EF08 (photo JPEG, tag 01, at most 49152 bytes).
struct RecordSlot: Hashable, Sendable {
    var file: SSSEFile
    var number: UInt8
    var tag: UInt8
    var maxLength: Int
    /// The byte that fills a short value up to `maxLength`; nil for variable-length records.
    var padding: UInt8?

    static let fingerprintMaxLength = 1024
    static let photoMaxLength = 49152

    init?(file: SSSEFile, number: UInt8) {
        self.file = file
        self.number = number
        switch file {
        case .ef05, .ef06:
            guard let element = CardElement.all.first(where: { $0.file == file && $0.record == number }) else { return nil }
            tag = element.tag
            maxLength = element.length
            padding = element.encoding == .bcd ? 0xFF : 0x00
        case .ef07, .ef08:
            guard number == 1 else { return nil }
            tag = 0x01
            maxLength = file == .ef07 ? Self.fingerprintMaxLength : Self.photoMaxLength
            padding = nil
        }
    }

    /// The stored record for `value`, or nil when it is too long.
    func record(value: [UInt8]) -> SimpleTLV? {
        guard value.count <= maxLength else { return nil }
        guard let padding else { return SimpleTLV(tag: tag, value: value) }
        return SimpleTLV(tag: tag, value: value + [UInt8](repeating: padding, count: maxLength - value.count))
    }
}

extension SSSERecords: Codable {
    /// JSON: `{"EF05": {"1": "<record hex: tag len value>", …}, "EF06": {…}, …}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let files = try container.decode([String: [String: String]].self)
        for (fileName, records) in files {
            guard fileName.count == 4, fileName.hasPrefix("EF"), let id = [UInt8](hex: fileName.dropFirst(2)),
                  let file = SSSEFile(rawValue: id[0]) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown SSSE file \(fileName)")
            }
            for (numberText, hex) in records {
                guard let number = UInt8(numberText), number > 0 else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(fileName) record number \(numberText)")
                }
                guard let bytes = [UInt8](hex: hex), let (record, used) = try? SimpleTLV.parseOne(bytes[...]),
                      used == bytes.count else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(fileName) record \(number) is not one TLV")
                }
                setRecord(file, number: number, record)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var files: [String: [String: String]] = [:]
        for file in SSSEFile.allCases {
            var records: [String: String] = [:]
            for number in recordNumbers(in: file) { records[String(number)] = record(file, number: number)!.bytes.hexString }
            files["EF" + [file.rawValue].hexString] = records
        }
        var container = encoder.singleValueContainer()
        try container.encode(files)
    }
}

// READ RECORD and UPDATE RECORD.
extension CardSession {
    /// The SSSE file a record command addresses: by SFI in P2 (`(SFI << 3) | 100`), which also
    /// selects it, or the current EF. Refusals: 6A86 bad P2, 6A82 unknown SFI, 6986 no EF,
    /// 6981 a binary EF.
    private mutating func recordFile(p2: UInt8) -> Result<SSSEFile, Refusal> {
        guard p2 & 0x07 == 0x04 || p2 == 0x00 else { return .failure(Refusal(.incorrectP1P2)) }
        let sfi = p2 >> 3
        if sfi != 0 {
            guard security.currentDF == .ssse, let file = SSSEFile(rawValue: sfi) else {
                return .failure(Refusal(.fileNotFound))
            }
            security.currentEF = .record(file)
        }
        switch security.currentEF {
        case .record(let file): return .success(file)
        case .binary: return .failure(Refusal(.commandIncompatibleWithFile))
        case nil: return .failure(Refusal(.commandNotAllowedNoEF))
        }
    }

    /// READ RECORD `00 B2 <tag> 00 Le` or `00 B2 <n> 04 Le`: the whole record `tag len value`.
    /// EF06–EF08 need INTERNAL AUTHENTICATE and EXTERNAL AUTHENTICATE with key 0A (6982).
    /// Le 00 means the whole record; with the T=0 flag any other Le that is not the record's
    /// length answers 6Cxx.
    mutating func readRecord(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.data.isEmpty, let le = command.expectedLength else { return .status(.wrongLength) }
        guard command.p1 != 0 else { return .status(.incorrectP1P2) }
        let file: SSSEFile
        switch recordFile(p2: command.p2) {
        case .success(let f): file = f
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        if file != .ef05 {
            guard security.internallyAuthenticated, security.externallyAuthenticated.contains(.readKey) else {
                return .status(.securityStatusNotSatisfied)
            }
        }
        let byTag = command.p2 == 0x00
        guard let record = byTag ? image.records.record(file, tag: command.p1) : image.records.record(file, number: command.p1) else {
            return .status(.recordNotFound)
        }
        let bytes = record.bytes
        if image.answersLikeT0, le != 256, le != bytes.count, bytes.count <= 256 {
            return .status(StatusWord(0x6C, UInt8(bytes.count & 0xFF)))
        }
        return .ok(bytes)
    }

    /// UPDATE RECORD `00 DC <n> 04 Lc <tag len value>`: needs EXTERNAL AUTHENTICATE with the
    /// write key 04 in this session (6982). 6A83 no such record slot, 6A80 data not exactly
    /// one TLV or a tag other than the slot's, 6700 value longer than the element.
    mutating func updateRecord(_ command: CommandAPDU) -> ResponseAPDU {
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard command.p1 != 0, command.p2 != 0x00 else { return .status(.incorrectP1P2) }
        let file: SSSEFile
        switch recordFile(p2: command.p2) {
        case .success(let f): file = f
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        guard security.externallyAuthenticated.contains(.writeKey) else { return .status(.securityStatusNotSatisfied) }
        guard let slot = RecordSlot(file: file, number: command.p1) else { return .status(.recordNotFound) }
        guard let (tlv, used) = try? SimpleTLV.parseOne(command.data[...]), used == command.data.count else {
            return .status(.wrongData)
        }
        guard tlv.tag == slot.tag else { return .status(.wrongData) }
        guard let record = slot.record(value: tlv.value) else { return .status(.wrongLength) }
        image.records.setRecord(file, number: command.p1, record)
        return .ok()
    }
}
