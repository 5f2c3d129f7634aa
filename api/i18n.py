"""Page texts in Chinese (default) and English."""

from __future__ import annotations

TEXTS = {
    "zh": dict(
        home="首页", query="SPARQL 查询", validate="校验清单", compare="辖区比较", home_title="县级医保局权责与廉政风险知识图谱",
        home_intro="各辖区的权力事项、法律依据、办理环节、廉政风险点、防控措施与责任人。", jurisdiction="辖区", code="代码",
        powers="权力事项", risks="风险点", row="序号", power="事项", type="权力类型", item_code="事项编码", canonical="标准事项",
        unnamed="（无名称）", legal_basis="法律依据", no_basis="未解析出法律条款依据", basis_text="实施依据原文", stages="办理环节与廉政风险点",
        controls="防控措施", role="责任人", risks_no_stage="未标明环节的风险点", duties="责任事项", sources="来源", line="行",
        same_power="其他辖区的同一权力", property="属性", value="值", query_title="SPARQL 查询", examples="示例查询（点击运行）：",
        run="运行", validate_title="校验权责清单", validate_intro="上传 CSV、XLSX、TSV、文本或 Turtle 清单，发布前检查缺项与合法性。可从模板开始：",
        template="下载模板", compare_title="辖区比较", show="显示", home_scope_note="库中共有 {provinces} 个省份的 {total} 个辖区，一页列不下：下面是{province}的 {n} 个辖区，可换省份查看。", province="省份", all_jurisdictions="全部辖区（{n}）", scope_note="矩阵与图表只含{province}的 {n} 个辖区（另加所选两地）：全国 {total} 个辖区一页画不下，请按省份查看；全国矩阵可下载。", limit_note="全国共 {total} 个辖区，超过一页可画的 {limit} 个：已改为按省份显示。", matrix="辖区 × 标准权力事项",
        ontology="本体", library="示例查询", search_examples="搜索示例（名称、说明或查询文本）", share="复制分享链接",
        share_copied="已复制链接", download="下载", rows="共 {n} 行", rows_time="共 {n} 行 · 用时 {s} 秒", running="正在查询…",
        fallback_note="未找到编辑器组件（YASGUI），已改用简易编辑器。请在项目根目录运行 npm ci 安装网页组件。",
        no_results="无结果", error="错误", table="表格", response="原始响应", chart="图表", filter="筛选结果",
        page_size="每页行数", all="全部", compact="紧凑视图", ellipse="省略长文本", copy_hint="此链接会打开并运行当前查询：",
        examples_none="没有匹配的示例",
        side_by_side="两地对照", only="仅{name}", in_both="两地均有", articles="法律依据", differs="有差异", same="一致",
        legend="图例", level_high="最高风险等级：高", level_medium="最高风险等级：中", level_low="最高风险等级：低",
        present="有此事项（未标风险等级）", absent="无此事项", charts="统计图", chart_types="各辖区按权力类型的事项数",
        chart_stages="各办理环节的风险点（按风险等级）", chart_articles="被引用最多的法律条款（事项数）",
        chart_similarity="辖区相似度（标准权力事项的 Jaccard 系数）", total="合计", items_n="{n} 项", no_items="—",
        diff_note="标黄的是对方没有的依据、环节或不同的风险等级。", matrix_note="每格链接到该辖区的事项；颜色表示有无此事项及其风险点的最高等级。",
        jurisdictions_n="辖区数", stage_short="办理环节", charts_missing="未安装图表组件（Apache ECharts），统计图从略。请在项目根目录运行 npm ci。",
    ),
    "en": dict(
        home="Home", query="SPARQL query", validate="Validate", compare="Compare", home_title="County medical-insurance powers and integrity risks",
        home_intro="Each jurisdiction's power items, legal basis, stages, risk points, controls and responsible roles.", jurisdiction="Jurisdiction",
        code="Code", powers="Power items", risks="Risk points", row="Row", power="Power", type="Power type", item_code="Item code",
        canonical="Canonical power", unnamed="(no name)", legal_basis="Legal basis", no_basis="No resolved article", basis_text="Legal basis as printed",
        stages="Stages and risk points", controls="Controls", role="Responsible", risks_no_stage="Risk points with no stage", duties="Duties",
        sources="Sources", line="line", same_power="The same power elsewhere", property="Property", value="Value", query_title="SPARQL query",
        examples="Example queries (click to run):", run="Run", validate_title="Validate a register",
        validate_intro="Upload a register (CSV, XLSX, TSV, text, Turtle) to check it before publishing. Start from the template:",
        template="download the template", compare_title="Compare jurisdictions", show="Show", home_scope_note="The store holds {total} jurisdictions of {provinces} provinces, too many for one page: below are the {n} of {province}; choose another province to see its own.", province="Province", all_jurisdictions="all jurisdictions ({n})", scope_note="The matrix and charts cover the {n} jurisdictions of {province} (and the two chosen): the {total} jurisdictions of the store do not fit on one page, so it shows one province at a time; the whole matrix can be downloaded.", limit_note="The store has {total} jurisdictions, more than the {limit} one page can draw: shown one province at a time.", matrix="Jurisdictions × canonical powers",
        ontology="Ontology", library="Example queries", search_examples="Search the examples (title, description or query text)",
        share="Copy share link", share_copied="Link copied", download="Download", rows="{n} rows", rows_time="{n} rows · {s} s",
        running="Running…", fallback_note="The editor component (YASGUI) is not installed, so this is the plain editor. Run npm ci in the repository to install the web assets.",
        no_results="No results", error="Error", table="Table", response="Response", chart="Chart", filter="Filter results",
        page_size="Rows per page", all="All", compact="Compact", ellipse="Ellipsis", copy_hint="This link opens and runs the current query:",
        examples_none="No example matches",
        side_by_side="Side by side", only="only {name}", in_both="in both", articles="Legal basis", differs="differs", same="same",
        legend="Legend", level_high="highest risk level: high", level_medium="highest risk level: medium", level_low="highest risk level: low",
        present="listed (no risk level recorded)", absent="not listed", charts="Charts", chart_types="Power items per type and jurisdiction",
        chart_stages="Risk points per stage, by level", chart_articles="Most-cited articles (number of items)",
        chart_similarity="Similarity of jurisdictions (Jaccard over canonical powers)", total="Total", items_n="{n} items", no_items="—",
        diff_note="Highlighted: articles or stages the other side lacks, and risk levels that differ.",
        matrix_note="Each cell links to the jurisdiction's item; the colour says whether it is listed and the highest level of its risk points.",
        jurisdictions_n="Jurisdictions", stage_short="Stages", charts_missing="The chart library (Apache ECharts) is not installed, so the charts are left out. Run npm ci in the repository.",
    ),
}


def texts(lang: str) -> dict[str, str]:
    return TEXTS.get(lang, TEXTS["zh"])
