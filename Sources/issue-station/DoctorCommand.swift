import ArgumentParser
import Foundation
import DeskAssembly
import InstantIssue
import SimulatedDesk
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// `issue-station doctor`: the morning check (开机检查) — configuration files, pcscd, readers,
/// the printer and its encoder reader, the fonts of the font chain, who may read the personal
/// data, the database and its lock, the ledger's chain and the stock's books. ✓ or ✗ per check
/// (⚠ for a warning) with how to fix each; exits 2 when any fails.
struct DoctorCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: Messages.doctorAbstract, discussion: Messages.doctorDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONOption

    func execute(_ console: StationConsole) throws {
        var checks = DoctorChecks()
        checks.run(global)
        if output.json {
            let document = DoctorDocument(checks.results, console.language)
            try JSONOutput.write(document, to: console)
            if !document.passed { throw ExitCode.checkFailed }
            return
        }
        for result in checks.results {
            console.say(verbatim: result.line(console.language))
        }
        let failed = checks.results.filter { !$0.passed }.count
        if failed == 0 {
            console.say(Messages.doctorAllPassed(checks.results.count))
        } else {
            console.fail(Messages.doctorFailed(failed))
            throw ExitCode.checkFailed
        }
    }
}

/// One check's outcome: what was checked, what was found, and how to fix a failure.
struct DoctorResult {
    var name: Localized
    var passed: Bool
    var detail: Localized
    var fix: Localized?
    /// Passed, but something the technician should change (⚠, exit status unchanged).
    var warning = false

    func line(_ language: Language) -> String {
        let separator = language == .zh ? "：" : ": "
        var text = (warning ? "⚠ " : passed ? "✓ " : "✗ ") + name.text(language) + separator + detail.text(language)
        if let fix, !passed || warning { text += "\n    → " + fix.sentence.text(language) }
        return text
    }
}

/// The checks, in the order a technician fixes things: files, service, readers, printer,
/// fonts, database, books.
struct DoctorChecks {
    private(set) var results: [DoctorResult] = []

    private mutating func pass(_ name: Localized, _ detail: Localized) {
        results.append(DoctorResult(name: name, passed: true, detail: detail, fix: nil))
    }
    private mutating func fail(_ name: Localized, _ detail: Localized, fix: Localized) {
        results.append(DoctorResult(name: name, passed: false, detail: detail, fix: fix))
    }
    private mutating func warn(_ name: Localized, _ detail: Localized, fix: Localized) {
        results.append(DoctorResult(name: name, passed: true, detail: detail, fix: fix, warning: true))
    }
    private mutating func fail(_ name: Localized, _ error: any Error) {
        let advice = ErrorAdvice(for: error)
        fail(name, advice.problem, fix: advice.next)
    }

    mutating func run(_ global: GlobalOptions) {
        // 1. Station configuration.
        let stationName = Localized("站点配置", "Station configuration")
        let stationPath = global.config ?? StationConfiguration.defaultPath()
        var station = StationConfiguration()
        var stationValid = false
        do {
            station = try StationSetup.loadStation(path: stationPath)
            stationValid = true
            pass(stationName, stationPath.map { Localized(verbatim: $0) } ?? Localized("没有配置文件，使用默认值", "no file, the defaults"))
        } catch {
            fail(stationName, error)
        }

        // 2. Driver configuration.
        let driverName = Localized("驱动配置", "Driver configuration")
        let driverPath = station.driverConfigurationPath ?? DriverConfiguration.defaultPath()
        var driver = DriverConfiguration()
        var driverValid = false
        do {
            driver = try DriverConfiguration.load(path: driverPath)
            driverValid = true
            pass(driverName, driverPath.map { Localized(verbatim: $0) } ?? Localized("没有配置文件，使用默认值", "no file, the defaults"))
        } catch {
            fail(driverName, error)
        }

        // 3. pcscd.
        let pcscdName = Localized("PC/SC 服务 pcscd", "PC/SC service pcscd")
        var context: PCSCContext?
        do {
            context = try PCSCContext()
            let socket = FileManager.default.fileExists(atPath: "/run/pcscd/pcscd.comm") ? " (/run/pcscd/pcscd.comm)" : ""
            pass(pcscdName, Localized("正在运行\(socket)", "running\(socket)"))
        } catch {
            fail(pcscdName, Localized("没有运行", "not running"),
                 fix: Localized("启动 pcscd（有 systemd 时 systemctl start pcscd，否则 pcscd -f &，见技术员手册 §2）",
                                "start pcscd (systemctl start pcscd, or pcscd -f & without systemd; technician's guide §2)"))
        }

        // 4. Readers: the contact reader, then the printer's encoder.
        var readers: [String] = []
        if let context {
            readers = (try? context.readers()) ?? []
        }
        let readerName = Localized("接触式读卡器", "Contact reader")
        if context == nil {
            fail(readerName, Localized("pcscd 没有运行，无法查看", "cannot look: pcscd is not running"), fix: Localized("先启动 pcscd", "start pcscd first"))
        } else if let found = readers.first(where: { driver.contactReader.map($0.contains) ?? true }) {
            pass(readerName, Localized(verbatim: found))
        } else {
            fail(readerName, readers.isEmpty ? Localized("没有任何读卡器", "no reader at all")
                                             : Localized("没有名称含“\(driver.contactReader ?? "")”的读卡器（现有：\(readers.joined(separator: "、"))）",
                                                         "no reader named like “\(driver.contactReader ?? "")” (present: \(readers.joined(separator: ", ")))"),
                 fix: Localized("检查读卡器连接；或改正驱动配置的 contactReader", "check the reader's cable, or correct contactReader in the driver configuration"))
        }

        let printerKind = driver.printer.kind
        if printerKind != .none {
            let encoderName = Localized("制卡机读卡器", "Printer encoder reader")
            let pattern = driver.printer.encoderReader
                ?? (printerKind == .virtual || printerKind == .escapeTCP
                    ? VirtualReaderStack.readerNames[min(max(driver.printer.virtualEncoderSlot, 0), VirtualReaderStack.readerNames.count - 1)]
                    : driver.contactReader)
            if context == nil {
                fail(encoderName, Localized("pcscd 没有运行，无法查看", "cannot look: pcscd is not running"), fix: Localized("先启动 pcscd", "start pcscd first"))
            } else if let found = readers.first(where: { pattern.map($0.contains) ?? true }) {
                pass(encoderName, Localized(verbatim: found))
            } else {
                fail(encoderName, Localized("没有名称含“\(pattern ?? "")”的读卡器", "no reader named like “\(pattern ?? "")”"),
                     fix: Localized("检查制卡机的 USB 连接和电源；或改正驱动配置的 printer.encoderReader", "check the printer's USB cable and power, or correct printer.encoderReader in the driver configuration"))
            }

            // 5. The printer answers.
            let printerName = Localized("制卡机", "Card printer")
            if driverValid {
                do {
                    if let printer = try DeskAssembly.withSimulators.printer(driver.printer) {
                        let status = try printer.status()
                        let warnings = Messages.printerWarnings(status).filter { !$0.zh.hasPrefix("卡盒") }
                        if warnings.isEmpty {
                            pass(printerName, Localized("\(StationPrinter.describe(driver.printer)) 应答正常", "\(StationPrinter.describe(driver.printer)) answers"))
                        } else {
                            fail(printerName, Localized("\(StationPrinter.describe(driver.printer)) 需要处理", "\(StationPrinter.describe(driver.printer)) needs attention"),
                                 fix: Localized(warnings.map(\.zh).joined(), warnings.map(\.en).joined(separator: " ")))
                        }
                    }
                } catch {
                    fail(printerName, error)
                }
            }
        }

        // 6. Fonts of the font chain.
        let fontName = Localized("字体", "Fonts")
        let missing = driver.fontChain.filter { !FileManager.default.isReadableFile(atPath: $0.path) }
        if !missing.isEmpty {
            let list = missing.map(\.path).joined(separator: ", ")
            fail(fontName, Localized("缺少字体文件 \(list)", "missing font files \(list)"),
                 fix: Localized("安装字体：apt-get install fonts-noto-cjk fonts-babelstone-han fonts-hanazono（或运行 scripts/install-deps.sh），或改正驱动配置的 fontChain",
                                "install them: apt-get install fonts-noto-cjk fonts-babelstone-han fonts-hanazono (or run scripts/install-deps.sh), or correct fontChain in the driver configuration"))
        } else {
            do {
                _ = try FontChain(faces: driver.fontChain)
                pass(fontName, Localized("字体链 \(driver.fontChain.count) 个字体都可用", "all \(driver.fontChain.count) fonts of the chain open"))
            } catch {
                fail(fontName, error)
            }
        }

        // 7. Who may read the personal data: folders the station did not make (it makes its own
        //    0700) and files of an earlier version that others can read. A warning, not a failure.
        if stationValid { checkPrivacy(station) }

        // 8. Database: readable, writable, not locked by another station; then the books.
        let databaseName = Localized("数据库", "Database")
        guard stationValid else {
            fail(databaseName, Localized("站点配置有误，不知道数据库在哪里", "the station configuration is invalid, so the database is unknown"),
                 fix: Localized("先改正站点配置", "correct the station configuration first"))
            return
        }
        let path = station.databasePath
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: path) {
            if FileManager.default.isWritableFile(atPath: folder) {
                pass(databaseName, Localized("\(path) 尚未创建，第一次使用时自动创建", "\(path) does not exist yet; it is created on first use"))
            } else {
                fail(databaseName, Localized("\(path) 不存在，目录 \(folder) 不可写", "\(path) does not exist and \(folder) is not writable"),
                     fix: Localized("请技术员建立目录 \(folder) 并授予写权限，或改正站点配置的 databasePath", "create \(folder) and make it writable, or correct databasePath in the station configuration"))
            }
            return
        }
        guard FileManager.default.isReadableFile(atPath: path), FileManager.default.isWritableFile(atPath: path),
              FileManager.default.isWritableFile(atPath: folder) else {
            fail(databaseName, Localized("\(path) 或其目录不可读写", "\(path) or its folder cannot be read and written"),
                 fix: Localized("请技术员把数据库文件和目录的读写权限交给运行 issue-station 的用户", "give the user who runs issue-station read and write access to the file and its folder"))
            return
        }
        let database: StationDatabase
        do {
            database = try StationDatabase(path: path, ledgerKeyPath: station.resolvedLedgerKeyPath)
            _ = try database.appliedMigrations()
            pass(databaseName, Localized("\(path) 可读写，没有被其他制卡站程序占用", "\(path) reads and writes, no other station holds it"))
        } catch {
            fail(databaseName, error)
            return
        }
        defer { try? database.close() }

        let ledgerName = Localized("台账", "Ledger")
        do {
            let verification = try AuditLedger(database: database).verify()
            if verification.isIntact {
                pass(ledgerName, Localized("\(verification.entryCount) 条记录，带密钥的哈希链完好（密钥文件 \(database.ledgerKey.path)）",
                                           "\(verification.entryCount) entries, the keyed hash chain is intact (key file \(database.ledgerKey.path))"))
            } else {
                fail(ledgerName, Localized("发现 \(verification.problems.count) 处改动", "\(verification.problems.count) alterations found"),
                     fix: Localized("运行 issue-station ledger verify 查看，并立即报告负责人", "run issue-station ledger verify to see them, and report to your supervisor at once"))
            }
        } catch {
            fail(ledgerName, error)
        }

        let booksName = Localized("库存账目", "Stock books")
        do {
            let check = try PreMadeCardInventory(database: database).checkInvariants()
            if check.holds {
                pass(booksName, Localized("导入 \(check.imported) 张，账目相符", "\(check.imported) imported, the books add up"))
            } else {
                fail(booksName, Localized("账目不平（\(check.violations.count) 处）", "the books do not add up (\(check.violations.count) problems)"),
                     fix: Localized("运行 issue-station inventory stocktake 查看，并清点实物", "run issue-station inventory stocktake to see them, and count the cards"))
            }
        } catch {
            fail(booksName, error)
        }
    }
}

extension DoctorChecks {
    /// The database's folder and files and the card-face folder should be the station user's
    /// alone (0700 folders, 0600 files; docs/technician.md, file modes), or, for a folder, shared
    /// with the desk's group the way the package makes /var/lib/sscard (root:sscard 2770).
    private mutating func checkPrivacy(_ station: StationConfiguration) {
        let name = Localized("个人数据的访问权限", "Access to personal data")
        let databaseFolder = URL(fileURLWithPath: station.databasePath).deletingLastPathComponent().path
        var open: [String] = []
        for folder in [databaseFolder, station.outputDirectory] where PrivateFile.isOpenBeyondDeskGroup(folder) && !open.contains(folder) {
            open.append(folder)
        }
        for suffix in ["", "-wal", "-shm"] where PrivateFile.isOpenBeyondDeskGroup(station.databasePath + suffix) {
            open.append(station.databasePath + suffix)
        }
        guard !open.isEmpty else {
            pass(name, Localized("数据库和卡面图片只有本用户可读", "the database and the card faces are this user's alone"))
            return
        }
        let list = open.map { path in
            "\(path)（\(String(PrivateFile.permissions(of: path) ?? 0, radix: 8))）"
        }
        let listEnglish = open.map { path in "\(path) (\(String(PrivateFile.permissions(of: path) ?? 0, radix: 8)))" }
        warn(name, Localized("其他用户可以读取：\(list.joined(separator: "、"))", "other users can read \(listEnglish.joined(separator: ", "))"),
             fix: Localized("其中有申请人的姓名、社会保障号码和相片：请技术员执行 chmod 700（目录，或与 sscard 组共用时 chgrp sscard 并 chmod 2770）或 chmod 600（文件），见技术员手册“文件权限”",
                            "they hold applicants' names, numbers and photos: ask the technician to chmod 700 the folders (or, shared with the sscard group, chgrp sscard and chmod 2770) and 600 the files (technician's guide, file modes)"))
    }
}

extension Messages {
    static let doctorAbstract = "开机检查：配置、pcscd、读卡器、制卡机、字体、数据库和账目，逐项显示 ✓ 或 ✗ 及解决办法。 The morning check: configuration, pcscd, readers, printer, fonts, database and books, ✓ or ✗ each with how to fix it."
    static let doctorDiscussion = """
        每天开机后先运行一次。任何一项为 ✗ 时退出码为 2，请按“→”后的提示处理，处理不了请联系技术员。\
        检查只读取，不会改动账目（数据库尚未建立时也不会建立）。
        Run it every morning before the first card. Any ✗ makes the exit status 2: follow the line \
        after "→", and call the technician if that does not help. The check only reads; it never \
        changes the books (nor creates a database that does not exist yet).
        """
    static func doctorAllPassed(_ n: Int) -> Localized {
        Localized("全部 \(n) 项检查通过，可以开始办卡。", "All \(n) checks passed; the desk is ready.")
    }
    static func doctorFailed(_ n: Int) -> Localized {
        Localized("有 \(n) 项检查没有通过，请按 → 后的提示处理。", "\(n) checks failed; follow the lines after →.")
    }
}
