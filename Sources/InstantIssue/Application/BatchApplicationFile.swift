import Foundation
import CardManagement

/// 批量申请数据文件 (《广东省社会保障卡经办规程》第七条, 附件6): `SBK2_银行_经办机构_人数_时间` — a
/// text file of the same name (line 1 the number of people, line 2 the header, then one row a
/// person, 29 comma-separated columns) and a `PHOTO` folder of `证件号码姓名.jpg` (none for a child
/// under seven). `check` reads a folder holding both (the zip unpacked) and reports every
/// problem by row; the valid rows become applications.
public struct BatchApplicationFile: Sendable {
    /// The header of 附件6, in order; `*` marks a column that may not be empty.
    public static let columns: [(name: String, required: Bool, maxLength: Int?)] = [
        ("序号", true, nil), ("申领表编码", true, 20), ("卡类别", true, 1), ("国籍", true, 3), ("证件类型", true, 1),
        ("证件号码", true, 18), ("证件有效期", true, 8), ("姓名", true, 50), ("性别", true, 1), ("民族", true, 2),
        ("出生日期", true, 8), ("人员状态", false, 1), ("户口性质", false, 2), ("户口地址", false, 100), ("联系手机", false, 20),
        ("联系电话", true, 20), ("通讯地址", false, 100), ("邮政编码", false, 6), ("电子邮箱", false, 30), ("户籍地", false, 6),
        ("职业", true, 7), ("单位编号", false, 20), ("单位名称", false, 100), ("监护人证件类型", false, 1),
        ("监护人证件号码", false, 18), ("监护人姓名", false, 50), ("服务银行", true, 5), ("相片回执", false, nil), ("收表网点", false, 20),
    ]

    /// The parts of the name `SBK2_银行_经办机构_人数_时间`.
    public struct Name: Hashable, Sendable {
        public var bank: String
        public var agency: String
        public var people: Int
        public var time: String

        /// Nil when the name breaks 附件6's rule (SBK2, 5-character bank, 14-character agency,
        /// a number of people, 14-digit YYYYMMDDHHMMSS).
        public init?(_ base: String) {
            let parts = base.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 5, parts[0] == "SBK2", parts[1].count == 5, parts[2].count == 14,
                  let people = Int(parts[3]), people >= 0, parts[4].count == 14, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }),
                  CalendarDate(yyyymmdd: parts[4].prefix(8)) != nil else { return nil }
            bank = parts[1]; agency = parts[2]; self.people = people; time = parts[4]
        }
    }

    /// What the check found.
    public struct Report: Sendable {
        /// Problems of the file as a whole (name, count line, header).
        public var fileProblems: [String]
        /// Problems per row, by the row's line number in the text file (3 for the first person).
        public var rowProblems: [(line: Int, problems: [String])]
        /// The rows without a problem, as applications (待制卡).
        public var valid: [Application]
        public var rowCount: Int
    }

    /// Checks the unpacked batch in `folder` (the `.txt` and `PHOTO/`). `regionCode` is the
    /// desk's 发卡地区 for the applications; `today` decides who is under seven.
    public static func check(folder: URL, regionCode: String, today: CalendarDate = .today(),
                             photoRules: PhotoRules = PhotoRules()) throws -> Report {
        let texts = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".txt") }.sorted()
        guard texts.count == 1 else { throw BatchApplicationError.textFileCount(texts.count) }
        let base = String(texts[0].dropLast(4))
        var fileProblems: [String] = []
        let name = Name(base)
        if name == nil { fileProblems.append("文件名“\(texts[0])”不符合 SBK2_银行(5位)_经办机构(14位)_人数_时间(14位) the file name breaks 附件6's rule") }
        let data = try Data(contentsOf: folder.appendingPathComponent(texts[0]))
        guard let text = String(data: data, encoding: .utf8) else { throw BatchApplicationError.notUTF8 }
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.first?.hasPrefix("\u{FEFF}") == true { lines[0].removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count >= 2 else { throw BatchApplicationError.tooShort }
        let rows = Array(lines.dropFirst(2))
        let declared = Int(lines[0].trimmingCharacters(in: .whitespaces))
        if declared != rows.count {
            fileProblems.append("第1行人数“\(lines[0])”与正文行数 \(rows.count) 不符 line 1 says \(lines[0]), the file has \(rows.count) rows")
        }
        if let name, name.people != rows.count {
            fileProblems.append("文件名人数 \(name.people) 与正文行数 \(rows.count) 不符 the name says \(name.people) people, the file has \(rows.count)")
        }
        let header = lines[1].split(separator: ",", omittingEmptySubsequences: false).map { $0.replacingOccurrences(of: "*", with: "").trimmingCharacters(in: .whitespaces) }
        if header != columns.map(\.name) {
            fileProblems.append("第2行标题与附件6不符 line 2 is not 附件6's header")
        }
        var rowProblems: [(Int, [String])] = []
        var valid: [Application] = []
        var seenForms = Set<String>()
        for (index, row) in rows.enumerated() {
            let line = index + 3
            var problems: [String] = []
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == columns.count else {
                rowProblems.append((line, ["有 \(cells.count) 列，应为 \(columns.count) 列 \(cells.count) columns, \(columns.count) expected"]))
                continue
            }
            var value: [String: String] = [:]
            for (column, cell) in zip(columns, cells) {
                value[column.name] = cell
                if column.required && cell.isEmpty { problems.append("\(column.name)不能为空 \(column.name) may not be empty") }
                if let max = column.maxLength, cell.count > max { problems.append("\(column.name)超过\(max)字符 \(column.name) is longer than \(max)") }
            }
            let v = { (key: String) in value[key] ?? "" }
            if Int(v("序号")) != index + 1 { problems.append("序号应为 \(index + 1) 序号 should be \(index + 1)") }
            if !v("申领表编码").isEmpty && !seenForms.insert(v("申领表编码")).inserted {
                problems.append("申领表编码 \(v("申领表编码")) 重复 the form number repeats")
            }
            if !["1", "2", "9"].contains(v("性别")) { problems.append("性别应为 1、2 或 9 性别 must be 1, 2 or 9") }
            if !(v("民族").count == 2 && v("民族").allSatisfy { $0.isASCII && $0.isNumber }) { problems.append("民族应为两位数字代码 民族 must be two digits") }
            if !(v("国籍").count == 3 && v("国籍").allSatisfy { $0.isASCII && $0.isUppercase }) { problems.append("国籍应为三位大写字母 国籍 must be three capitals") }
            if CalendarDate(yyyymmdd: v("证件有效期")) == nil { problems.append("证件有效期不是 YYYYMMDD 日期 证件有效期 is not a YYYYMMDD date") }
            let birth = CalendarDate(yyyymmdd: v("出生日期"))
            if birth == nil { problems.append("出生日期不是 YYYYMMDD 日期 出生日期 is not a YYYYMMDD date") }
            var number: SocialSecurityNumber?
            do { number = try SocialSecurityNumber(v("证件号码")) } catch { problems.append("证件号码：\(error.chinese) \(error.english)") }
            if let number, let birth, let encoded = number.birthDate, encoded != birth {
                problems.append("出生日期与证件号码不符 出生日期 differs from the ID number")
            }
            // The photo: PHOTO/证件号码姓名.jpg, none needed under seven.
            let photoName = v("证件号码") + v("姓名") + ".jpg"
            let photoURL = folder.appendingPathComponent("PHOTO").appendingPathComponent(photoName)
            var photo: Data?
            let underSeven = birth.map { $0.age(on: today) < 7 } ?? false
            if let data = try? Data(contentsOf: photoURL) {
                do { photo = try ApplicantPhoto(jpeg: data, rules: photoRules).jpeg } catch {
                    problems += error.problems.map { "相片 \(photoName)：\($0)" }
                }
            } else if !underSeven {
                problems.append("缺少相片 PHOTO/\(photoName) the photo PHOTO/\(photoName) is missing")
            }
            if problems.isEmpty, let birth {
                valid.append(Application(id: v("申领表编码"), kind: .new, name: v("姓名"), socialSecurityNumber: v("证件号码"), sex: v("性别"),
                                         ethnicity: v("民族"), nationality: v("国籍"), birthDate: birth.yyyymmdd,
                                         birthPlace: v("户籍地").isEmpty ? nil : v("户籍地"), bank: v("服务银行"), regionCode: regionCode,
                                         photoJPEG: underSeven ? nil : photo))
            } else {
                rowProblems.append((line, problems))
            }
        }
        return Report(fileProblems: fileProblems, rowProblems: rowProblems, valid: fileProblems.isEmpty ? valid : [], rowCount: rows.count)
    }
}

public enum BatchApplicationError: Error, Hashable, Sendable {
    /// The folder must hold exactly one `.txt`.
    case textFileCount(Int)
    case notUTF8
    /// Fewer than the count and header lines.
    case tooShort
}
