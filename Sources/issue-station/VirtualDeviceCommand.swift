import ArgumentParser
import Foundation
import SSCardSimulator

/// A technician's virtual device (`vcard`, `vprinter`): it serves until told to quit, speaks the
/// language of `--lang` (or `SSCARD_LANG`), and an error that stops it is printed by
/// `ErrorAdvice` as one sentence and what to do next, with the exit status of every station
/// command (`StationCommand`). It reads no station configuration, so it takes no `--config`.
protocol VirtualDeviceCommand: AsyncParsableCommand {
    var lang: LanguageOption { get }
    /// The device's work; throw any error and the caller prints it.
    func execute(_ console: StationConsole) async throws
}

extension VirtualDeviceCommand {
    func run() async throws {
        let console = StationConsole(language: lang.language)
        do {
            try await execute(console)
        } catch {
            throw ErrorAdvice.exit(for: error, printingTo: console)
        }
    }
}

// MARK: Errors the virtual devices stop on

extension VPCDConnectorError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .vpcdUnreachable(host, port, timeout, lastError):
            let seconds = String(format: "%g", timeout / .seconds(1))
            let why = lastError.map { "（\($0)）" } ?? ""
            let whyEN = lastError.map { " (\($0))" } ?? ""
            return ErrorAdvice(Localized("\(seconds) 秒内连不上 \(host):\(port) 的 vpcd\(why)", "Cannot reach vpcd at \(host):\(port) within \(seconds) s\(whyEN)"),
                               next: Localized("确认 pcscd 已带 vpcd 读卡器运行：用 scripts/install-deps.sh 安装，用 pcscd -f 启动（技术员手册 §2）",
                                               "make sure pcscd runs with the vpcd reader: install it with scripts/install-deps.sh and start it with pcscd -f (technician's guide §2)"))
        }
    }
}

extension CardImageError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .unreadable(path, reason):
            ErrorAdvice(Localized("无法读取卡片映像文件 \(path)（\(reason)）", "Cannot read the card image file \(path) (\(reason))"),
                        next: Localized("检查文件路径和读权限后重试", "check the path and that you may read the file, then try again"))
        case let .corrupt(path, reason):
            ErrorAdvice(Localized("卡片映像文件 \(path) 已损坏：\(reason)", "The card image file \(path) is corrupt: \(reason)"),
                        next: Localized("从备份恢复这个文件，或用 --card 指定一个新文件（会新建一张空白预制卡）",
                                        "restore the file from a backup, or name a new file with --card (a new blank pre-made card is made there)"))
        case let .unwritable(path, reason):
            ErrorAdvice(Localized("无法写入卡片映像文件 \(path)（\(reason)）", "Cannot write the card image file \(path) (\(reason))"),
                        next: Localized("检查目录是否存在、是否有写权限，然后重试", "check that the folder exists and that you may write there, then try again"))
        }
    }
}

/// The virtual printer could not listen on its port.
struct VirtualPrinterListenError: AdvisedError {
    var port: UInt16
    var reason: String

    var advice: ErrorAdvice {
        ErrorAdvice(Localized("虚拟制卡机无法在 127.0.0.1:\(port) 上监听（\(reason)）", "The virtual printer cannot listen on 127.0.0.1:\(port) (\(reason))"),
                    next: Localized("这个端口可能已被另一个 vprinter 占用：停掉它，或用 --port 换一个端口",
                                    "another vprinter may hold the port: stop it, or choose another port with --port"))
    }
}
