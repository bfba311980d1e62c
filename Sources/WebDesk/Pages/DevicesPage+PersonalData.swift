import Foundation
import SSCardPrinter

extension DevicesPage {
    /// 个人数据的访问权限, as `issue-station doctor` checks it: the database's folder and files
    /// and the card-face folder hold applicants' names, numbers and photos, so they are the
    /// station user's alone (0700 folders, 0600 files) or, for a folder, shared with the desk's
    /// group the way the package makes /var/lib/sscard (root:sscard 2770).
    static func personalDataAccess(databasePath: String, outputDirectory: String,
                                   sharedGroup: gid_t? = PrivateFile.deskGroupID()) -> Check {
        let name = Text("个人数据的访问权限", "Access to personal data")
        let databaseFolder = URL(fileURLWithPath: databasePath).deletingLastPathComponent().path
        var open: [String] = []
        for folder in [databaseFolder, outputDirectory]
        where PrivateFile.isOpenBeyondDeskGroup(folder, sharedGroup: sharedGroup) && !open.contains(folder) {
            open.append(folder)
        }
        for suffix in ["", "-wal", "-shm"] where PrivateFile.isOpenBeyondDeskGroup(databasePath + suffix, sharedGroup: sharedGroup) {
            open.append(databasePath + suffix)
        }
        guard !open.isEmpty else {
            return Check(name: name, outcome: .pass, detail: Text("数据库和卡面图片只有本用户可读", "the database and the card faces are this user's alone"))
        }
        let listed = open.map { "\($0) (\(String(PrivateFile.permissions(of: $0) ?? 0, radix: 8)))" }
        return Check(name: name, outcome: .warn,
                     detail: Text("其他用户可以读取：\(listed.joined(separator: "、"))", "other users can read \(listed.joined(separator: ", "))"),
                     fix: Text("其中有申请人的姓名、社会保障号码和相片：请技术员执行 chmod 700（目录，或与 sscard 组共用时 chgrp sscard 并 chmod 2770）或 chmod 600（文件），见技术员手册“文件权限”",
                               "they hold applicants' names, numbers and photos: ask the technician to chmod 700 the folders (or, shared with the sscard group, chgrp sscard and chmod 2770) and 600 the files (technician's guide, file modes)"))
    }
}
