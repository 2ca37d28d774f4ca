// A minimal self-contained HTML page around inline SVG.

enum HTMLPage {
    /// A page with `title` whose body is `body` (markup), with the plot style's font and no external resources.
    static func document(title: String, body: String, head: String = "") -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>\(head)
        <style>
        body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif;color:#333;margin:24px;background:#fff}
        h1{font-size:20px;margin:0 0 12px}
        table{border-collapse:collapse;margin:12px 0}td,th{padding:4px 12px;text-align:right;border-bottom:1px solid #e5e7eb}
        th{font-weight:600;color:#666}.bar{width:480px;height:10px;background:#e5e7eb;border-radius:5px;overflow:hidden}
        .bar>div{height:100%;background:#4e79a7}.muted{color:#666;font-size:13px}
        </style></head><body>
        \(body)
        </body></html>

        """
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
