import Foundation
import SSCardDriver
import SSCardPrinter

/// What the clerk reads when a command fails: one sentence saying what went wrong, in the
/// chosen language, and one saying what to do next. Every error a library can throw is mapped
/// here (driver and printer errors in this file, the station's in ErrorAdvice+Station.swift);
/// anything else gets a generic sentence naming the error's type, never a dump of its fields.
struct ErrorAdvice: Hashable, Sendable {
    /// What went wrong, one sentence without the final full stop.
    var problem: Localized
    /// What to do next, one sentence without the final full stop.
    var next: Localized

    static let errorStatus: Int32 = 1
    static let checkFailedStatus: Int32 = 2

    init(_ problem: Localized, next: Localized) {
        self.problem = problem
        self.next = next
    }

    /// The advice for any error a command can meet.
    init(for error: any Error) {
        self = Self.known(error) ?? Self.unexpected(error)
    }

    /// The advice for an error some table knows; nil for anything else.
    static func known(_ error: any Error) -> ErrorAdvice? {
        if let advised = error as? any AdvisedError { return advised.advice }
        if let advice = stationAdvice(error) { return advice }
        switch error {
        case let e as InterfaceError: return interface(e)
        case let e as PrinterError: return printer(e)
        case let e as PCSCError: return pcsc(e)
        case let e as ConfigurationError: return configuration(e)
        case let e as PINEntryError: return interface(e.interfaceError)
        case let e as CardFaceError: return interface(e.interfaceError)
        case let e as PrivateFileError:
            return ErrorAdvice(Localized(e.chinese, e.english.capitalisedFirst),
                               next: Localized("检查这个路径：目录要存在并可写，且不能是符号链接（技术员手册“文件权限”）",
                                               "check the path: its folder must exist and be writable, and it must not be a symbolic link (technician's guide, file modes)"))
        case is CardError, is CardSessionError, is CardConnectionError, is CardChannelError:
            return interface(InterfaceError(from: error))
        case let e as CocoaError:
            let path = (e.userInfo[NSFilePathErrorKey] as? String) ?? e.userInfo[NSURLErrorKey].map { "\($0)" } ?? ""
            return ErrorAdvice(Localized("无法读写文件 \(path)", "cannot read or write the file \(path)"),
                               next: Localized("检查文件路径是否正确、目录是否存在、是否有权限", "check the path, that the folder exists and that you may write there"))
        default:
            return nil
        }
    }

    /// Two lines: `错误：…。` and `下一步：…。` (English: `Error: ….` and `Next: ….`), on stderr.
    func print(to console: StationConsole) {
        console.fail(Localized("错误：", "Error: ") + problem.sentence)
        console.fail(Localized("下一步：", "Next: ") + next.sentence)
    }

    /// The two lines as one text, in `language`.
    func text(_ language: Language) -> String {
        (Localized("错误：", "Error: ") + problem.sentence).text(language) + "\n"
            + (Localized("下一步：", "Next: ") + next.sentence).text(language)
    }

    // MARK: Shared next steps

    static let runDoctor = Localized("检查读卡器连接，运行 issue-station doctor", "check the reader's cable, then run issue-station doctor")
    static let callTechnician = Localized("请联系技术员，并把这条信息告诉他", "call the technician and show them this message")
    static let insertCard = Localized("把社保卡芯片朝前插入读卡器，然后重试", "insert the social security card chip first into the reader, then try again")
    static let resetPIN = Localized("请持身份证到柜台办理密码重置（issue-station card reset-pin）",
                                    "the holder brings their ID card to the counter for a PIN reset (issue-station card reset-pin)")
    static let pcscdDown = Localized("启动 PC/SC 服务（pcscd，见技术员手册 §2），然后运行 issue-station doctor",
                                     "start the PC/SC service (pcscd, technician's guide §2), then run issue-station doctor")

    // MARK: Driver

    /// The national interface's codes (InterfaceCode.swift), with the driver's own message.
    static func interface(_ e: InterfaceError) -> ErrorAdvice {
        let problem = Localized(e.message, e.englishMessage.capitalisedFirst)
        let next: Localized
        switch e.code.rawValue {
        case -1: next = Localized("这不是社会保障卡，请换用社保卡", "this is not a social security card; use one")
        case -2: next = insertCard
        case -3, -4: next = Localized("取出卡片重新插入后重试；仍不行请运行 issue-station doctor", "take the card out, insert it again and retry; if it still fails, run issue-station doctor")
        case -11, -12:
            if e.englishMessage.contains("pcscd") { next = pcscdDown } else { next = runDoctor }
        case -5, -13: next = Localized("请技术员检查驱动配置（docs/configuration.md）并运行 issue-station doctor", "ask the technician to check the driver configuration (docs/configuration.md) and run issue-station doctor")
        case -21: next = Localized("这张卡可能不是真卡或已损坏：不要发放，请上报卡管机构", "the card may be fake or damaged: do not hand it out, report it to the card agency")
        case -22: next = Localized("放入要办理的那张卡后重试", "insert the card you mean, then try again")
        case -24, -2201, -2202, -2203, -2204: next = Localized("本机的安全模块（PSAM 或加密机）不能完成认证：请技术员检查 securityModule 配置", "the security module (PSAM or HSM) cannot authenticate: ask the technician to check securityModule in the driver configuration")
        case -31: next = Localized("持卡人取消了输入；需要时重新办理", "the holder cancelled; start again when they are ready")
        case -32: next = Localized("持卡人没有及时输入；重新办理", "the holder did not type in time; start again")
        case -33: next = Localized("密码应为4至16位数字，请重新办理", "a PIN has 4 to 16 digits; start again")
        case -34: next = Localized("两次输入的新密码要一致，请重新办理", "type the same new PIN twice; start again")
        case -35, -36: next = Localized("新密码不能是初始密码123456，请换一个密码重新办理", "the new PIN cannot be the initial 123456; start again with another PIN")
        case -51: next = Localized("请持卡人重新输入；连续6次错误会锁定密码（《广东省社会保障卡经办规程》第二十条）", "let the holder try again; 6 wrong PINs in a row lock it (《广东省社会保障卡经办规程》第二十条)")
        case -52: next = resetPIN
        case -3009 ... -3001:
            next = printerNext(code: e.code.rawValue)
        default:
            if e.code.statusWord != nil {
                next = Localized("卡片拒绝了这个操作；取出重插后重试，仍不行请联系技术员", "the card refused the operation; reinsert it and retry, and if it still fails call the technician")
            } else {
                next = Localized("重试一次；仍出错请联系技术员，并把这条信息告诉他", "try once more; if it fails again, call the technician and show them this message")
            }
        }
        return ErrorAdvice(problem, next: next)
    }

    // MARK: Printer

    static func printer(_ e: PrinterError) -> ErrorAdvice {
        ErrorAdvice(Localized(e.chineseMessage, e.englishMessage.capitalisedFirst), next: printerNext(code: e.code))
    }

    /// What to do about a printer code (−3001…−3009, PrinterError.swift; −14 a bad hopper).
    static func printerNext(code: Int) -> Localized {
        switch code {
        case -3001: Localized("检查制卡机电源和连接线，然后运行 issue-station printer status", "check the printer's power and cable, then run issue-station printer status")
        case -3002: Localized("运行 issue-station printer status 查看卡片位置，取出卡住的卡后重试", "run issue-station printer status to see where the card is, clear it and retry")
        case -3003: Localized("关好制卡机上盖后重试", "close the printer cover and try again")
        case -3004: Localized("向卡盒装入预制卡，然后运行 issue-station inventory load", "put pre-made cards into the hopper, then run issue-station inventory load")
        case -3005: Localized("打开上盖取出卡住的卡，用 issue-station inventory spoil 登记作废，然后重试", "open the cover, take out the jammed card, record it with issue-station inventory spoil, then retry")
        case -3006: Localized("从废卡盒取出这张卡，用 issue-station inventory spoil 登记作废，再重新制卡", "take the card from the reject box, record it with issue-station inventory spoil, then make the card again")
        case -3007: Localized("更换色带后重试", "fit a new ribbon and try again")
        case -3008: Localized("清空废卡盒（每张废卡都要登记作废）后重试", "empty the reject box (record every rejected card as spoiled) and try again")
        case -3009: Localized("运行 issue-station printer status 查看卡片在哪里，再重试", "run issue-station printer status to see where the card is, then retry")
        default: Localized("检查卡盒号（1 至 9，且制卡机装有该卡盒）", "check the hopper number (1 to 9, and fitted on the printer)")
        }
    }

    // MARK: PC/SC

    static func pcsc(_ e: PCSCError) -> ErrorAdvice {
        switch e {
        case .noService, .serviceStopped:
            return ErrorAdvice(Localized("PC/SC 服务（pcscd）没有运行", "The PC/SC service (pcscd) is not running"), next: pcscdDown)
        case .noReadersAvailable, .unknownReader, .readerUnavailable:
            return ErrorAdvice(Localized("找不到读卡器", "No card reader was found"), next: runDoctor)
        case .noSmartcard, .removedCard:
            return ErrorAdvice(Localized("读卡器里没有卡", "There is no card in the reader"), next: insertCard)
        case .sharingViolation:
            return ErrorAdvice(Localized("读卡器正被另一个程序独占", "Another program holds the reader"),
                               next: Localized("关闭占用读卡器的其他程序后重试", "close the other program that uses the reader, then try again"))
        default:
            return ErrorAdvice(Localized("读卡器出错：\(e.pcscText)", "The reader failed: \(e.pcscText)"), next: runDoctor)
        }
    }

    // MARK: Configuration

    static func configuration(_ e: ConfigurationError) -> ErrorAdvice {
        switch e {
        case let .unreadable(path, reason):
            return ErrorAdvice(Localized("无法读取配置文件 \(path)（\(reason)）", "Cannot read the configuration file \(path) (\(reason))"),
                               next: Localized("检查文件路径和权限，或用 --config 指定正确的文件，然后运行 issue-station doctor", "check the path and permissions, or name the right file with --config, then run issue-station doctor"))
        case let .invalid(path, reason):
            return ErrorAdvice(Localized("配置文件 \(path) 有误：\(reason)", "The configuration file \(path) is invalid: \(reason)"),
                               next: Localized("请技术员按 docs/configuration.md 改正这一项，然后运行 issue-station doctor", "ask the technician to correct that entry (docs/configuration.md), then run issue-station doctor"))
        }
    }

    // MARK: Anything else

    /// An error no table knows: its type and, when it describes itself, its first line.
    static func unexpected(_ error: any Error) -> ErrorAdvice {
        let type = String(describing: Swift.type(of: error))
        var detail = ""
        // Only a type that describes itself: the default rendering of an enum or struct is a dump.
        if Swift.type(of: error) is any CustomStringConvertible.Type {
            detail = String(String(describing: error).split(separator: "\n").first ?? "")
            if detail.count > 200 { detail = String(detail.prefix(200)) + "…" }
        }
        if type == "DatabaseError" {
            return ErrorAdvice(Localized("制卡站数据库出错（\(detail)）", "The station database failed (\(detail))"),
                               next: Localized("运行 issue-station doctor 检查数据库；仍不行请联系技术员", "run issue-station doctor to check the database; if that does not help, call the technician"))
        }
        let what = detail.isEmpty ? type : "\(type): \(detail)"
        return ErrorAdvice(Localized("出现了未预料的错误（\(what)）", "An unexpected error occurred (\(what))"), next: callTechnician)
    }
}

/// An error of the command-line layer itself, which knows its advice.
protocol AdvisedError: Error {
    var advice: ErrorAdvice { get }
}

extension Localized {
    /// The text with one final full stop of its language: `。` for Chinese, `.` for English.
    var sentence: Localized {
        func trimmed(_ s: String) -> String {
            var t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            while let last = t.last, "。.；;，,".contains(last) { t.removeLast() }
            return t
        }
        return Localized(trimmed(zh) + "。", trimmed(en) + ".")
    }
}

extension String {
    /// The first letter upper-case, for English library messages that start in lower case.
    var capitalisedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
