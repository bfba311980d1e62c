import CardManagement
import Foundation

/// An application kept in a local JSON file, for the offline demo and `issue --file`, when
/// there is no card-management system to fetch it from.
///
/// The fields are `Application`'s, with its Codable names (`id`, `kind`, `name`,
/// `socialSecurityNumber`, `sex`, `ethnicity`, `nationality`, `birthDate`, `birthPlace`,
/// `bank`, `regionCode`, `photoJPEG` as base64); `kind` defaults to `new` and `nationality`
/// to `CHN`, as in `Application.init`. Instead of `photoJPEG` the file may give `photoFile`,
/// the path of a JPEG relative to the JSON file's folder (or absolute). An unknown field is
/// refused rather than ignored: a misspelt `photoFile` would otherwise lose the photo
/// quietly. The application is not validated here (`ApplicationValidator` does that).
///
/// ```json
/// {"id": "DEMO-0001", "name": "张[CHUI]", "socialSecurityNumber": "11010519491231002X",
///  "sex": "2", "ethnicity": "01", "birthDate": "19491231", "bank": "模拟银行",
///  "regionCode": "411600", "photoFile": "photo.jpg"}
/// ```
public enum ApplicationFile {
    /// The key of the photo's path.
    public static let photoFileKey = "photoFile"

    /// Reads the application in the JSON file at `url`.
    public static func load(from url: URL) throws(ApplicationFileError) -> Application {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: Self.reason(error))
        }
        return try decode(data, relativeTo: url.deletingLastPathComponent(), path: url.path)
    }

    /// Decodes `data`; `folder` resolves a relative `photoFile`, `path` names the file in errors.
    public static func decode(_ data: Data, relativeTo folder: URL, path: String = "(JSON)") throws(ApplicationFileError) -> Application {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw .notJSON(path: path, reason: Self.reason(error))
        }
        guard var object = parsed as? [String: Any] else { throw .notAnObject(path: path) }
        if let unknown = object.keys.filter({ !knownKeys.contains($0) && $0 != photoFileKey }).sorted().first {
            throw .unknownField(path: path, field: unknown)
        }
        if let photoFile = object.removeValue(forKey: photoFileKey) {
            guard object["photoJPEG"] == nil || object["photoJPEG"] is NSNull else { throw .twoPhotos(path: path) }
            guard let relative = photoFile as? String, !relative.isEmpty else {
                throw .wrongType(path: path, field: photoFileKey, expected: "string (a file path)")
            }
            let photoURL = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : folder.appendingPathComponent(relative)
            do {
                object["photoJPEG"] = try Data(contentsOf: photoURL).base64EncodedString()
            } catch {
                throw .photoUnreadable(path: photoURL.path, reason: Self.reason(error))
            }
        }
        if object["kind"] == nil { object["kind"] = Application.Kind.new.rawValue }
        if object["nationality"] == nil { object["nationality"] = "CHN" }
        do {
            let normalised = try JSONSerialization.data(withJSONObject: object)
            return try JSONDecoder().decode(Application.self, from: normalised)
        } catch let error as DecodingError {
            throw Self.fieldError(error, path: path)
        } catch {
            throw .notJSON(path: path, reason: Self.reason(error))
        }
    }

    /// The keys `Application` encodes, taken from an encoded application with every optional
    /// field set, so they follow the model.
    static let knownKeys: Set<String> = {
        let sample = Application(id: "", name: "", socialSecurityNumber: "", sex: "", ethnicity: "", birthDate: "", birthPlace: "",
                                 bank: "", regionCode: "", photoJPEG: Data())
        // Encoding a struct of strings and data always succeeds.
        let data = try! JSONEncoder().encode(sample)
        return Set((try! JSONSerialization.jsonObject(with: data) as! [String: Any]).keys)
    }()

    static func fieldError(_ error: DecodingError, path: String) -> ApplicationFileError {
        func name(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.isEmpty ? "(top level)" : keys.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return .missingField(path: path, field: name(context.codingPath, key))
        case .valueNotFound(_, let context): return .missingField(path: path, field: name(context.codingPath))
        case .typeMismatch(let type, let context):
            return .wrongType(path: path, field: name(context.codingPath), expected: type == Data.self ? "base64 string" : "\(type)".lowercased())
        case .dataCorrupted(let context):
            return .invalidValue(path: path, field: name(context.codingPath), reason: context.debugDescription)
        @unknown default:
            return .notJSON(path: path, reason: "\(error)")
        }
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }
}

/// Why an application file cannot be read, naming the file and the field.
public enum ApplicationFileError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case notJSON(path: String, reason: String)
    case notAnObject(path: String)
    case unknownField(path: String, field: String)
    case missingField(path: String, field: String)
    case wrongType(path: String, field: String, expected: String)
    /// A value of the right type that cannot be used, e.g. `kind` "lost", bad base64.
    case invalidValue(path: String, field: String, reason: String)
    case twoPhotos(path: String)
    case photoUnreadable(path: String, reason: String)

    public var chinese: String {
        switch self {
        case .unreadable(let p, let r): "无法读取申请文件 \(p)：\(r)"
        case .notJSON(let p, let r): "申请文件 \(p) 不是有效的JSON：\(r)"
        case .notAnObject(let p): "申请文件 \(p) 应为一个JSON对象（{…}）"
        case .unknownField(let p, let f): "申请文件 \(p) 含未知字段“\(f)”。请核对字段名（区分大小写）"
        case .missingField(let p, let f): "申请文件 \(p) 缺少字段“\(f)”"
        case .wrongType(let p, let f, let e): "申请文件 \(p) 的字段“\(f)”类型错误，应为 \(e)"
        case .invalidValue(let p, let f, let r): "申请文件 \(p) 的字段“\(f)”取值无效：\(r)"
        case .twoPhotos(let p): "申请文件 \(p) 同时给出了 photoJPEG 和 photoFile，只能给一个"
        case .photoUnreadable(let p, let r): "无法读取相片文件 \(p)：\(r)"
        }
    }

    public var english: String {
        switch self {
        case .unreadable(let p, let r): "cannot read the application file \(p): \(r)"
        case .notJSON(let p, let r): "the application file \(p) is not valid JSON: \(r)"
        case .notAnObject(let p): "the application file \(p) must hold one JSON object ({…})"
        case .unknownField(let p, let f): "the application file \(p) has the unknown field \"\(f)\"; check the field names (case matters)"
        case .missingField(let p, let f): "the application file \(p) has no field \"\(f)\""
        case .wrongType(let p, let f, let e): "the application file \(p): the field \"\(f)\" has the wrong type, it must be a \(e)"
        case .invalidValue(let p, let f, let r): "the application file \(p): the field \"\(f)\" has an invalid value: \(r)"
        case .twoPhotos(let p): "the application file \(p) gives both photoJPEG and photoFile; give one"
        case .photoUnreadable(let p, let r): "cannot read the photo file \(p): \(r)"
        }
    }

    public var description: String { chinese + " / " + english }
}
