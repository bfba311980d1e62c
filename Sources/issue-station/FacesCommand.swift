import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station faces purge [--older-than-days N]`: deletes the card-face PNGs the station
/// configuration's `cardFaceRetention` no longer keeps (or those older than N days).
struct FacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faces", abstract: Messages.facesAbstract, discussion: Messages.facesDiscussion,
        subcommands: [FacesPurgeCommand.self])
}

struct FacesPurgeCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: Messages.facesPurgeAbstract, discussion: Messages.facesPurgeDiscussion)

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("older-than-days"), help: ArgumentHelp(Messages.facesOlderThanHelp, valueName: "N"))
    var olderThanDays: Int?

    func validate() throws {
        if let olderThanDays, !(0...CardFaceRetention.maximumDays).contains(olderThanDays) {
            throw ValidationError(Messages.facesOlderThanRange)
        }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let faces = setup.station.cardFaces
        let result: CardFacePurge
        if olderThanDays == nil, faces.retention == .untilComplete, setup.station.storage.kind == .postgresql {
            // On the outlet's books the desk's journal says which of its issuances ended here
            // (领卡启用, 制卡失败); a card it made may also have been activated at another desk of
            // the outlet, which only the outlet's 台账 records.
            let journal = FileManager.default.fileExists(atPath: setup.station.databasePath) ? try setup.openDeskJournal() : nil
            defer { try? journal?.close() }
            result = try setup.withLedger { ledger in
                try faces.purge { id in
                    try journal.map { try Journal(database: $0).isComplete(applicationID: id) } == true
                        || ledger.recordsActivation(applicationID: id)
                }
            }
        } else if olderThanDays == nil, faces.retention == .untilComplete,
           FileManager.default.fileExists(atPath: setup.station.databasePath) {
            // Which issuances are complete: the journal says (领卡启用, 制卡失败).
            result = try setup.withDatabase { database in
                let journal = Journal(database: database)
                return try faces.purge { try journal.isComplete(applicationID: $0) }
            }
        } else {
            result = try faces.purge(olderThanDays: olderThanDays) { _ in false }
        }
        if olderThanDays == nil, faces.retention == .keep {
            console.say(Messages.facesKeptByConfiguration(faces.directory))
        } else {
            console.say(Messages.facesPurged(result, directory: faces.directory,
                                             days: olderThanDays ?? { if case .days(let n) = faces.retention { n } else { nil } }()))
        }
        if !result.failed.isEmpty {
            for failure in result.failed { console.fail(Localized(verbatim: "  " + failure)) }
            throw FacesCommandError.cannotDelete(count: result.failed.count, directory: faces.directory)
        }
    }
}

enum FacesCommandError: AdvisedError {
    case cannotDelete(count: Int, directory: String)

    var advice: ErrorAdvice {
        switch self {
        case let .cannotDelete(count, directory):
            ErrorAdvice(Localized("有 \(count) 个卡面图片无法删除（\(directory)）", "\(count) card-face images in \(directory) could not be deleted"),
                        next: Localized("请技术员检查该目录的所有者和权限，再运行 issue-station faces purge",
                                        "ask the technician to check the folder's owner and permissions, then run issue-station faces purge again"))
        }
    }
}

extension Messages {
    static let facesAbstract = "卡面图片：按站点配置的保留期限删除。 The card-face images: delete them as the station configuration's retention says."
    static let facesDiscussion = """
        每次制卡都在 outputDirectory（默认 /var/lib/sscard/faces）写一张卡面图片（PNG，文件名“申请编号-社保卡号.png”），\
        上面有申请人的姓名、社会保障号码和相片。站点配置的 cardFaceRetention 决定保留多久：until-complete（默认）\
        在领卡启用或制卡失败后立即删除；days:N 保留 N 天；keep 一直保留（《广东省社会保障卡经办规程》第三十九条、第四十一条）。
        Every issuance writes a card-face image (PNG, named "<application id>-<card number>.png") to \
        outputDirectory (/var/lib/sscard/faces by default); it shows the applicant's name, social \
        security number and photo. cardFaceRetention in the station configuration says how long it \
        stays: until-complete (the default) deletes it as soon as the card is activated or the card \
        failed; days:N keeps it N days; keep keeps it (《广东省社会保障卡经办规程》第三十九条、第四十一条).
        """
    static let facesPurgeAbstract = "删除保留期限已过的卡面图片。 Deletes the card-face images whose retention has passed."
    static let facesPurgeDiscussion = """
        不给 --older-than-days 时按站点配置：until-complete 删除办卡已完成（领卡启用或制卡失败）的卡面图片，\
        days:N 删除超过 N 天的，keep 什么也不删。给了 --older-than-days N 时删除超过 N 天的全部卡面图片\
        （0 表示全部）。只删除按“申请编号-社保卡号.png”命名的文件，不碰目录里的其他文件。
        Without --older-than-days it follows the station configuration: until-complete deletes the \
        faces of complete issuances (card activated, or the card failed), days:N those older than N \
        days, keep none. With --older-than-days N it deletes every face older than N days (0: all). \
        Only files named "<application id>-<card number>.png" are touched; nothing else in the folder.
        """
    static let facesOlderThanHelp = "删除超过这么多天的全部卡面图片（0 表示全部），不论站点配置。 Deletes every face older than this many days (0: all), whatever the configuration says."
    static let facesOlderThanRange = "--older-than-days 应为 0 至 \(CardFaceRetention.maximumDays)。 --older-than-days must be 0 to \(CardFaceRetention.maximumDays)."

    static func facesKeptByConfiguration(_ directory: String) -> Localized {
        Localized("站点配置 cardFaceRetention 为 keep（一直保留），没有删除 \(directory) 中的卡面图片；要删除请给 --older-than-days N。",
                  "cardFaceRetention is keep in the station configuration, so no face in \(directory) was deleted; give --older-than-days N to delete.")
    }

    static func facesPurged(_ result: CardFacePurge, directory: String, days: Int?) -> Localized {
        var text = Localized("已删除 \(directory) 中的 \(result.removed.count) 个卡面图片",
                             "Deleted \(result.removed.count) card-face images from \(directory)")
        if result.keptIncomplete > 0 {
            text = text + Localized("；\(result.keptIncomplete) 个所属办卡尚未完成，保留到领卡启用或制卡失败",
                                    "; kept \(result.keptIncomplete) whose issuance is not complete (until the card is activated or fails)")
        }
        if result.keptYoung > 0, let days {
            text = text + Localized("；\(result.keptYoung) 个未满 \(days) 天，保留", "; kept \(result.keptYoung) younger than \(days) days")
        }
        return text + Localized("。", ".")
    }
}
