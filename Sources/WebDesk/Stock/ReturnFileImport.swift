import Foundation
import Hummingbird
import InstantIssue
import SSCardPrinter

/// 入库 from the browser: the body of `POST /stock/import` is the return file itself. It is
/// written to a private temporary file as it arrives (a large file is never held whole while it
/// is received), the received bytes feeding the progress bar, then checked and imported by the
/// same library call as `issue-station inventory import` — all cards or none, the same problems
/// named, the same refusal of a file or card already on the books — and the temporary file is
/// removed (it holds bank card numbers).
struct ReturnFileImport {
    let stock: any StationStock
    let uploads: ReturnFileUploads
    let adviser: DeskAdvice.Adviser

    enum Refusal: Error { case tooLarge, badName, duplicateID }

    init(stock: any StationStock, uploads: ReturnFileUploads, adviser: @escaping DeskAdvice.Adviser) {
        self.stock = stock; self.uploads = uploads; self.adviser = adviser
    }

    /// On the desk's own books.
    init(inventory: PreMadeCardInventory, uploads: ReturnFileUploads, adviser: @escaping DeskAdvice.Adviser) {
        self.init(stock: EmbeddedStationStock(inventory: inventory, ledger: AuditLedger(database: inventory.database)),
                  uploads: uploads, adviser: adviser)
    }

    /// Receives `body` under `fileName` for upload `id` and imports it; the outcome is in the
    /// upload's progress (also when refused).
    func run<Body: AsyncSequence>(id: String, fileName rawName: String, declaredSize: Int?, body: Body, clerk: String) async throws -> UploadProgress
    where Body.Element == ByteBuffer {
        guard uploads.start(id, clerk: clerk, total: declaredSize) else { throw Refusal.duplicateID }
        guard let fileName = uploadedFileName(rawName) else {
            return finish(id, failed: Text("文件名无效", "the file name is not valid"), next: Text("选择回盘文件 YZKCG_….txt 再上传", "choose the return file YZKCG_….txt and upload it again"))
        }
        if let declaredSize, declaredSize > ReturnFileUploads.sizeLimit {
            return finish(id, failed: tooLarge, next: tooLargeNext)
        }
        let folder = try PrivateFile.makeTemporaryFolder(prefix: "sscard-upload-")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/upload"
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            return finish(id, failed: Text("无法写入临时文件", "cannot write a temporary file"), next: Text("请技术员检查磁盘空间", "ask the technician to check the disk space"))
        }
        var received = 0
        do {
            defer { try? handle.close() }
            for try await buffer in body {
                received += buffer.readableBytes
                if received > ReturnFileUploads.sizeLimit { return finish(id, failed: tooLarge, next: tooLargeNext) }
                try handle.write(contentsOf: buffer.readableBytesView)
                uploads.update(id) { $0.received = received }
            }
        }
        uploads.update(id) { $0.phase = .checking }
        let receipt: YZKCGImportReceipt
        do {
            // Checked and booked off the cooperative pool: the outlet's books block (`DeskBooks`).
            let (stock, uploads) = (stock, uploads)
            receipt = try await DeskBooks.run {
                let file = try YZKCGFile(fileName: fileName, contents: try Data(contentsOf: URL(fileURLWithPath: path)))
                uploads.update(id) { $0.phase = .importing }
                return try stock.importReturnFile(file, by: clerk)
            }
        } catch {
            let advice = adviser(error)
            let problems = (error as? YZKCGImportError).map { e in
                e.problems.prefix(ReturnFileUploads.shownProblems).map(\.description)
                    + (e.total > min(e.problems.count, ReturnFileUploads.shownProblems)
                        ? ["……另有 \(e.total - min(e.problems.count, ReturnFileUploads.shownProblems)) 处 … and more"] : [])
            } ?? []
            return finish(id, failed: advice.problem, next: advice.next, problems: problems)
        }
        uploads.update(id) { p in
            p.phase = .done
            p.zh = "已导入 \(receipt.count) 张\(receipt.bank)预制卡（文件 \(receipt.fileName)，经办人 \(receipt.importedBy)）。"
            p.en = "Imported \(receipt.count) \(receipt.bank) pre-made cards (file \(receipt.fileName), clerk \(receipt.importedBy))."
            p.nextZh = "下一步：把卡放进保险柜；装卡时在下面“装卡”中选择卡盒和\(receipt.bank)。"
            p.nextEn = "Next: put the cards in the safe; to load a hopper, choose it and \(receipt.bank) under Load below."
        }
        return uploads.progress(id, clerk: clerk) ?? UploadProgress(phase: .done)
    }

    private var tooLarge: Text {
        Text("文件超过 \(ReturnFileUploads.sizeLimit >> 20) MB，不是回盘文件", "the file is larger than \(ReturnFileUploads.sizeLimit >> 20) MB, so it is not a return file")
    }
    private var tooLargeNext: Text { Text("检查选择的文件；回盘文件很大时请技术员用 issue-station inventory import 导入", "check the file chosen; ask the technician to import a very large one with issue-station inventory import") }

    private func finish(_ id: String, failed: Text, next: Text, problems: [String] = []) -> UploadProgress {
        var out = UploadProgress()
        uploads.update(id) { p in
            p.phase = .failed
            p.zh = failed.zh; p.en = failed.en; p.nextZh = next.zh; p.nextEn = next.en
            p.problems = problems
            out = p
        }
        return out
    }
}
