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

/// The private pcscd of the demo, or the running one it uses: never an "unexpected error".
extension VirtualReaderStackError: AdvisedError {
    var advice: ErrorAdvice {
        let install = Localized("运行 scripts/install-deps.sh 安装后重试", "run scripts/install-deps.sh to install it, then try again")
        let byHand = Localized("用 pcscd -f -d 手动运行 pcscd 查看原因（技术员手册 §2），处理后重试",
                               "run pcscd -f -d by hand to see why (technician's guide §2), deal with it and try again")
        switch self {
        case .pcscdNotInstalled:
            return ErrorAdvice(Localized("没有安装 pcscd（PATH、/usr/sbin 和 /sbin 里都没有）", "pcscd is not installed (not in PATH, /usr/sbin or /sbin)"), next: install)
        case let .vpcdDriverNotInstalled(path):
            return ErrorAdvice(Localized("没有安装 vpcd 虚拟读卡器驱动（\(path)，软件包 vsmartcard-vpcd）",
                                         "The vpcd virtual reader driver is not installed (\(path), package vsmartcard-vpcd)"), next: install)
        case let .anotherPCSCDRunning(running):
            return ErrorAdvice(Localized("本机已有一个 pcscd 在运行（\(running.chinese)）", "A pcscd is already running (\(running))"),
                               next: Localized("用 sudo systemctl stop pcscd.socket pcscd 停止它后重试，或加 --use-running-pcscd 使用它",
                                               "stop it with sudo systemctl stop pcscd.socket pcscd and try again, or use it with --use-running-pcscd"))
        case .noRunningPCSCD:
            return ErrorAdvice(Localized("没有正在运行的 pcscd", "No pcscd is running"),
                               next: Localized("去掉 --use-running-pcscd，程序会自己启动带 vpcd 的 pcscd；或者先启动 pcscd（技术员手册 §2）",
                                               "leave out --use-running-pcscd and a pcscd with vpcd is started for you, or start pcscd first (technician's guide §2)"))
        case let .runningPCSCDWithoutVPCD(running):
            return ErrorAdvice(Localized("本机已有一个 pcscd 在运行（\(running.chinese)），但它没有 vpcd 虚拟读卡器",
                                         "A pcscd is already running (\(running)) but has no vpcd virtual readers"),
                               next: Localized("用 sudo systemctl stop pcscd.socket pcscd 停止它后重试（程序会自己启动带 vpcd 的 pcscd），"
                                                   + "或者用 scripts/install-deps.sh 安装 vsmartcard-vpcd 并重启 pcscd，让它带上虚拟读卡器",
                                               "stop it with sudo systemctl stop pcscd.socket pcscd and try again (a pcscd with vpcd is then started for you), "
                                                   + "or install vsmartcard-vpcd with scripts/install-deps.sh and restart pcscd so that it has the virtual readers"))
        case let .loopbackLibraryMissing(searched):
            let places = searched.isEmpty ? "—" : searched.joined(separator: ", ")
            return ErrorAdvice(Localized("找不到让 vpcd 只在本机监听的 \(VirtualReaderStack.loopbackLibraryName)（查找了 \(places)）",
                                         "\(VirtualReaderStack.loopbackLibraryName), which keeps vpcd listening on this machine only, was not found (looked at \(places))"),
                               next: Localized("用 swift build 编译它（产品 sscard-vpcd-loopback），或用环境变量 \(VirtualReaderStack.loopbackLibraryVariable) 指明它的路径",
                                               "build it with swift build (product sscard-vpcd-loopback), or give its path in \(VirtualReaderStack.loopbackLibraryVariable)"))
        case let .vpcdNotLoopbackOnly(listening, library):
            let addresses = listening.joined(separator: ", ")
            return ErrorAdvice(Localized("vpcd 在 \(addresses) 上监听，不只是本机，pcscd 已停止", "vpcd listened on \(addresses), not only on this machine; pcscd was stopped"),
                               next: Localized("检查 \(library) 能否被 pcscd 加载（ldd \(library)），仍不行请联系技术员",
                                               "check that pcscd can load \(library) (ldd \(library)); if it still fails, call the technician"))
        case let .cannotPrepareDirectory(path, reason):
            return ErrorAdvice(Localized("无法准备 pcscd 的临时目录 \(path)（\(reason)）", "Cannot prepare pcscd's temporary folder \(path) (\(reason))"),
                               next: Localized("检查临时目录（TMPDIR）是否存在、是否可写，然后重试", "check that the temporary folder (TMPDIR) exists and is writable, then try again"))
        case let .launchFailed(path, reason):
            return ErrorAdvice(Localized("无法启动 \(path)（\(reason)）", "Cannot launch \(path) (\(reason))"), next: byHand)
        case let .pcscdExited(status, _):
            return ErrorAdvice(Localized("pcscd 启动时退出了（状态 \(status)）", "pcscd exited while starting (status \(status))"), next: byHand)
        case let .startTimedOut(what, timeout, _):
            let seconds = String(format: "%g", timeout / .seconds(1))
            return ErrorAdvice(Localized("pcscd 在 \(seconds) 秒内没有准备好 \(what)", "pcscd did not provide \(what) within \(seconds) s"), next: byHand)
        case .cannotRestartSharedPCSCD:
            return ErrorAdvice(Localized("程序用的是已在运行的 pcscd，不会重启它", "The program uses a pcscd it did not start and will not restart it"),
                               next: ErrorAdvice.callTechnician)
        }
    }
}

extension VirtualReaderStack.RunningPCSCD {
    /// "pid 1234", "pid 未知", "pid 1234，已退出但尚未被回收".
    var chinese: String {
        let who = pid.map { "pid \($0)" } ?? "pid 未知"
        return isZombie ? "\(who)，已退出但尚未被回收" : who
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
