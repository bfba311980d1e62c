import Foundation
import SSCardPrinter
#if canImport(Glibc)
import Glibc
#endif

/// How long a card-face PNG stays on the desk's disk (`cardFaceRetention` in the station
/// configuration, docs/configuration.md). A face shows the applicant's name, 社会保障号码 and
/// photo, personal data the desk keeps no longer than it needs (《广东省社会保障卡经办规程》
/// 第三十九条、第四十一条).
public enum CardFaceRetention: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `"until-complete"` (the default): deleted once the issuance is complete — 领卡启用, or
    /// 制卡失败 handled.
    case untilComplete
    /// `"days:N"`: kept N days (1–3650) after it was written, then deleted when an issuance
    /// completes or by `issue-station faces purge`.
    case days(Int)
    /// `"keep"`: never deleted by the station; `issue-station faces purge --older-than-days N`
    /// deletes by hand.
    case keep

    public static let maximumDays = 3650

    /// Parses `until-complete`, `days:N` or `keep`.
    public init?(text: String) {
        switch text {
        case "until-complete": self = .untilComplete
        case "keep": self = .keep
        default:
            guard text.hasPrefix("days:"), let n = Int(text.dropFirst(5)), (1...Self.maximumDays).contains(n),
                  text.dropFirst(5).allSatisfy(\.isASCII) else { return nil }
            self = .days(n)
        }
    }

    public var description: String {
        switch self {
        case .untilComplete: "until-complete"
        case .days(let n): "days:\(n)"
        case .keep: "keep"
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let retention = Self(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" 应为 \"until-complete\"、\"days:N\"（N 为 1–\(Self.maximumDays)）或 \"keep\""
                    + " / must be \"until-complete\", \"days:N\" (N 1–\(Self.maximumDays)) or \"keep\"")
        }
        self = retention
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// An application id or card number that cannot be part of a file name.
public struct CardFaceNameError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Part: String, Hashable, Sendable { case applicationID, cardNumber }
    public var part: Part
    public var value: String

    public var chinese: String {
        switch part {
        case .applicationID:
            "申请编号“\(value)”不能用作卡面图片的文件名（只允许字母、数字、- 和 _，以字母或数字开头，最长64位），可能是卡管系统返回了异常数据"
        case .cardNumber:
            "社保卡号“\(value)”不能用作卡面图片的文件名（应为9位大写字母或数字）"
        }
    }

    public var english: String {
        switch part {
        case .applicationID:
            "the application id \"\(value)\" cannot name a card-face file (letters, digits, - and _ only, starting with a letter or digit, at most 64); the card-management system may have answered something wrong"
        case .cardNumber:
            "the card number \"\(value)\" cannot name a card-face file (9 upper-case letters or digits)"
        }
    }

    public var description: String { chinese + " " + english }
}

/// One card-face PNG in the faces folder.
public struct CardFaceFile: Hashable, Sendable {
    public var path: String
    public var applicationID: String
    public var cardNumber: String
    /// When it was written (its modification time).
    public var written: Date
}

/// What `CardFaceFiles.purge` did.
public struct CardFacePurge: Hashable, Sendable {
    /// The files deleted.
    public var removed: [CardFaceFile] = []
    /// Faces kept because their issuance is not complete (or unknown to this desk's journal).
    public var keptIncomplete = 0
    /// Faces kept because they are younger than the age asked for.
    public var keptYoung = 0
    /// Faces that could not be deleted, with why.
    public var failed: [String] = []
}

/// The card-face PNGs of a desk: one per issuance attempt, `<application id>-<card number>.png`
/// in `directory` (a folder made 0700, files 0600), kept as `retention` says.
public struct CardFaceFiles: Sendable {
    public let directory: String
    public let retention: CardFaceRetention

    public init(directory: String, retention: CardFaceRetention) {
        self.directory = directory; self.retention = retention
    }

    /// `<applicationID>-<cardNumber>.png`, both parts checked against a strict pattern first
    /// (`FileNamePart`): a hostile or broken answer with `../` or `/` cannot lead the face out of
    /// its folder.
    public static func fileName(applicationID: String, cardNumber: String) throws(CardFaceNameError) -> String {
        guard FileNamePart.isSafe(applicationID) else { throw CardFaceNameError(part: .applicationID, value: applicationID) }
        guard FileNamePart.isCardNumber(cardNumber) else { throw CardFaceNameError(part: .cardNumber, value: cardNumber) }
        return "\(applicationID)-\(cardNumber).png"
    }

    /// The application id and card number of a face's file name; nil for any other name.
    static func parse(fileName: String) -> (applicationID: String, cardNumber: String)? {
        guard fileName.hasSuffix(".png") else { return nil }
        let stem = fileName.dropLast(4)
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let applicationID = String(stem[..<dash]), cardNumber = String(stem[stem.index(after: dash)...])
        guard FileNamePart.isSafe(applicationID), FileNamePart.isCardNumber(cardNumber) else { return nil }
        return (applicationID, cardNumber)
    }

    /// The faces in the folder: regular files named as `fileName` makes them (a symbolic link or
    /// anything else is left alone). Empty when the folder does not exist.
    public func faces() throws -> [CardFaceFile] {
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory).sorted().compactMap { name in
            guard let parsed = Self.parse(fileName: name) else { return nil }
            let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            let written = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            return CardFaceFile(path: path, applicationID: parsed.applicationID, cardNumber: parsed.cardNumber, written: written)
        }
    }

    /// Deletes faces: those older than `olderThanDays` when given; else as `retention` says —
    /// until-complete: those whose issuance `isComplete` says is complete; days:N: those older
    /// than N days; keep: none.
    public func purge(olderThanDays: Int? = nil, now: Date = Date(),
                      isComplete: (_ applicationID: String) throws -> Bool) throws -> CardFacePurge {
        var result = CardFacePurge()
        let days: Int? = olderThanDays ?? { if case .days(let n) = retention { return n } else { return nil } }()
        for face in try faces() {
            if let days {
                guard now.timeIntervalSince(face.written) >= TimeInterval(days) * 86_400 else {
                    result.keptYoung += 1
                    continue
                }
            } else if retention == .untilComplete {
                guard try isComplete(face.applicationID) else {
                    result.keptIncomplete += 1
                    continue
                }
            } else {
                continue  // keep
            }
            if unlink(face.path) == 0 || errno == ENOENT {
                result.removed.append(face)
            } else {
                result.failed.append("\(face.path): \(String(cString: strerror(errno)))")
            }
        }
        return result
    }

    /// An issuance reached a final phase (领卡启用, 制卡失败): until-complete deletes its face;
    /// days:N deletes the faces older than N days; keep does nothing. Best effort: a face that
    /// cannot be deleted is left for `issue-station faces purge`.
    func issuanceCompleted(_ record: IssuanceRecord, now: Date) {
        switch retention {
        case .keep:
            return
        case .days:
            _ = try? purge(now: now) { _ in false }
        case .untilComplete:
            guard let path = record.facePath, let cardNumber = record.cardNumber,
                  let name = try? Self.fileName(applicationID: record.applicationID, cardNumber: cardNumber.value),
                  URL(fileURLWithPath: path).lastPathComponent == name else { return }
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return }
            unlink(path)
        }
    }
}

extension Station {
    /// Applies `cardFaceRetention` to an issuance that reached a final phase.
    func cardFaceIssuanceCompleted(_ record: IssuanceRecord) {
        configuration.cardFaces.issuanceCompleted(record, now: database.clock())
    }
}

extension Journal {
    /// True when the last journal entry of `applicationID` ends its issuance (领卡启用, 制卡失败,
    /// cancelled); false when it is unfinished or unknown here.
    public func isComplete(applicationID: String) throws -> Bool {
        try entries(for: applicationID).last?.isFinal ?? false
    }
}

extension StationLedger {
    /// True when the 台账 records the card of `applicationID` taken (领卡启用). On the outlet's
    /// shared chain that is at any desk of the outlet: a card made at this desk may be handed
    /// over and activated at another, which this desk's journal never hears of.
    public func recordsActivation(applicationID: String) throws -> Bool {
        try entries(subject: applicationID).contains { $0.action == Handover.activatedAction }
    }
}
