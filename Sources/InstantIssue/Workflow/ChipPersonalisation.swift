import Foundation
import SSCardDriver

/// What instant issuance writes to a pre-made card's SSSE (files of 《社会保障卡规范》): 发卡日期
/// and 卡有效期 in EF05, the holder in EF06, as the driver's `pFileAddr`/`pWriteData` texts.
struct ChipPersonalisation {
    let ef05Address: FileAddress
    let ef05Data: String
    let ef06Address: FileAddress
    let ef06Data: String

    init(request: IssuanceRequest, issueDate: String, expiryDate: String) throws {
        let a = request.application
        let split = try NameSplit(fullName: request.name)
        ef05Address = FileAddress(files: [.init(file: .ef05, elements: [.issueDate, .expiryDate])])
        ef05Data = "SSSEEF05|\(issueDate)|\(expiryDate)|$"
        var elements: [CardElement] = [.socialSecurityNumber, .name]
        var values = [request.socialSecurityNumber.value, split.name]
        if !split.nameExtension.isEmpty {
            elements.append(.nameExtension); values.append(split.nameExtension)
        }
        elements += [.sex, .ethnicity]
        values += [a.sex, a.ethnicity]
        if let place = a.birthPlace, !place.isEmpty {
            elements.append(.birthPlace); values.append(place)
        }
        elements.append(.birthDate); values.append(a.birthDate)
        ef06Address = FileAddress(files: [.init(file: .ef06, elements: elements)])
        ef06Data = "SSSEEF06|" + values.map { $0 + "|" }.joined() + "$"
    }

    /// The expiry date `years` after `issueDate` (YYYYMMDD), the day before the anniversary, as
    /// the sample cards carry it (issued 20211203, valid to 20311202).
    static func expiryDate(issueDate: String, years: Int) -> String {
        guard let y = Int(issueDate.prefix(4)), let m = Int(issueDate.dropFirst(4).prefix(2)), let d = Int(issueDate.suffix(2)) else {
            return issueDate
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        guard let start = calendar.date(from: DateComponents(year: y, month: m, day: d)),
              let end = calendar.date(byAdding: DateComponents(year: years, day: -1), to: start) else { return issueDate }
        let c = calendar.dateComponents([.year, .month, .day], from: end)
        return String(format: "%04d%02d%02d", c.year!, c.month!, c.day!)
    }
}
