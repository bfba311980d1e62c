import Foundation

/// The readable report: one HTML page, Chinese first, every text escaped.
enum ReportHTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func verdictText(_ v: Verdict) -> String {
        switch v {
        case .pass: return "通过 pass"
        case .fail: return "不通过 FAIL"
        case .notTestable: return "无法测试 not testable"
        case .notApplicable: return "不适用 not applicable"
        }
    }

    static func page(_ report: ConformanceReport) -> String {
        let s = report.summary
        var html = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <title>驱动一致性测试报告 / Driver conformance report</title>
            <style>
            body{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;max-width:70em}
            table{border-collapse:collapse;width:100%;margin-bottom:1em}td,th{border:1px solid #bbb;padding:.3em;vertical-align:top;text-align:left;overflow-wrap:anywhere}
            .pass{background:#e6f4e6}.fail{background:#fbe3e3}.not-testable,.not-applicable{background:#f2f2f2}
            table.cases{table-layout:fixed}table.cases th:nth-child(1){width:20%}table.cases th:nth-child(2){width:15%}
            table.cases th:nth-child(3){width:20%}table.cases th:nth-child(5){width:9%}
            .en{color:#555}pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:.85em}details{margin:.2em 0}
            </style></head><body>
            <h1>社会保障卡驱动一致性测试报告 <span class="en">/ SSCardDriver conformance report</span></h1>
            <table>
            <tr><th>被测库 <span class="en">library</span></th><td>\(escape(report.library))</td></tr>
            <tr><th>读卡器 <span class="en">reader</span></th><td>\(escape(report.reader))</td></tr>
            <tr><th>开始时间 <span class="en">started</span></th><td>\(escape(report.startedAt))</td></tr>
            <tr><th>用时 <span class="en">duration</span></th><td>\(String(format: "%.1f", report.durationSeconds)) s</td></tr>
            <tr><th>结果 <span class="en">result</span></th><td>通过 \(s.passed) · 不通过 \(s.failed) · 无法测试 \(s.notTestable) · 不适用 \(s.notApplicable)
            <span class="en">(passed \(s.passed), failed \(s.failed), not testable \(s.notTestable), not applicable \(s.notApplicable))</span>;
            退出状态 <span class="en">exit status</span> \(report.exitStatus)</td></tr>
            <tr><th>测试程序 <span class="en">tester</span></th><td>\(escape(report.tester))</td></tr>
            <tr><th>命令 <span class="en">command</span></th><td><code>\(escape(report.command))</code></td></tr>
            </table>
            <p>卡片为模拟的三代社保卡，经 pcscd + vpcd 提供；APDU 中的个人数据、密码与认证数据已隐去。
            <span class="en">The cards are simulated 3.0 cards served through pcscd + vpcd; personal data, PINs and cryptograms are masked in the APDUs.</span></p>

            """
        for group in CaseGroup.allCases {
            let cases = report.cases.filter { $0.group == group }
            guard !cases.isEmpty else { continue }
            html += "<h2>\(escape(group.title.zh)) <span class=\"en\">/ \(escape(group.title.en))</span></h2>\n<table class=\"cases\">\n"
            html += "<tr><th>用例 <span class=\"en\">case</span></th><th>条款 <span class=\"en\">clause</span></th><th>预期 <span class=\"en\">expected</span></th><th>实际 <span class=\"en\">seen</span></th><th>结论 <span class=\"en\">verdict</span></th></tr>\n"
            for c in cases {
                html += "<tr class=\"\(c.verdict.rawValue)\"><td><b>\(escape(c.title.zh))</b><br><span class=\"en\">\(escape(c.title.en))</span><br><code>\(escape(c.id))</code></td>"
                html += "<td>\(escape(c.clause))</td>"
                html += "<td>\(escape(c.expected.zh))<br><span class=\"en\">\(escape(c.expected.en))</span></td><td>"
                html += "<pre>\(escape(c.seen.joined(separator: "\n")))</pre>"
                if !c.reasons.isEmpty { html += "<pre><b>\(escape(c.reasons.joined(separator: "\n")))</b></pre>" }
                if !c.calls.isEmpty {
                    let lines = c.calls.map { "\($0.call) → \($0.code.map(String.init) ?? "—")" + ($0.milliseconds.map { String(format: " (%.1f ms)", $0) } ?? "") }
                    html += "<details><summary>调用 calls (\(c.calls.count))</summary><pre>\(escape(lines.joined(separator: "\n")))</pre></details>"
                }
                if !c.apdus.isEmpty {
                    html += "<details><summary>APDU (\(c.apdus.count))</summary><pre>\(escape(c.apdus.joined(separator: "\n")))</pre></details>"
                }
                html += "</td><td>\(escape(verdictText(c.verdict)))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>每个函数的耗时 <span class=\"en\">/ Time per call</span></h2>\n<table><tr><th>函数 function</th><th>调用次数 calls</th><th>中位数 median (ms)</th><th>P90 (ms)</th></tr>\n"
        for t in report.timing {
            html += "<tr><td>\(escape(t.function))</td><td>\(t.figures.calls)</td><td>\(String(format: "%.1f", t.figures.medianMilliseconds))</td><td>\(String(format: "%.1f", t.figures.p90Milliseconds))</td></tr>\n"
        }
        html += "</table>\n</body></html>\n"
        return html
    }
}
