package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The page is well-formed XML, self-contained and structured for screen readers. */
class ReportPageTest {

    static ObjectNode sampleReport() throws Exception {
        String json = """
                {"overall": {"quality": 0.9, "column_shapes": 0.95, "column_pair_trends": 0.85},
                 "columns": [
                   {"name": "age <years>", "kind": "numerical", "metric": "KSComplement", "score": 0.97,
                    "real_null_rate": 0.0, "synthetic_null_rate": 0.01},
                   {"name": "city & region", "kind": "categorical", "metric": "TVComplement", "score": 0.93,
                    "real_null_rate": 0.1, "synthetic_null_rate": 0.1},
                   {"name": "day", "kind": "datetime", "metric": "KSComplement", "score": 0.9,
                    "real_null_rate": 0.0, "synthetic_null_rate": 0.0},
                   {"name": "empty", "kind": "numerical", "metric": "KSComplement", "score": 1.0,
                    "real_null_rate": 1.0, "synthetic_null_rate": 1.0}],
                 "pairs": [
                   {"columns": ["age <years>", "city & region"], "metric": "ContingencySimilarity", "score": 0.8},
                   {"columns": ["age <years>", "day"], "metric": "CorrelationSimilarity", "score": 0.9},
                   {"columns": ["age <years>", "empty"], "metric": "CorrelationSimilarity", "score": 1.0},
                   {"columns": ["city & region", "day"], "metric": "ContingencySimilarity", "score": 0.85},
                   {"columns": ["city & region", "empty"], "metric": "ContingencySimilarity", "score": 1.0},
                   {"columns": ["day", "empty"], "metric": "CorrelationSimilarity", "score": 1.0}],
                 "rows": {"real": 100, "synthetic": 90, "sampled_real": 100, "sampled_synthetic": 90},
                 "baseline": {"method": "independent-columns", "quality": 0.8, "column_shapes": 0.95,
                              "column_pair_trends": 0.65},
                 "diagnostics": {"columns": [
                   {"name": "age <years>", "kind": "numerical",
                    "real": {"rows": 100, "null_rate": 0.0, "min": 18, "max": 90, "mean": 40, "std": 12,
                             "quantiles": {"p05": 20, "p25": 30, "p50": 40, "p75": 50, "p95": 70}},
                    "synthetic": {"rows": 90, "null_rate": 0.01, "min": 18, "max": 88, "mean": 41, "std": 11,
                             "quantiles": {"p05": 21, "p25": 31, "p50": 41, "p75": 51, "p95": 69}},
                    "boundary_adherence": 0.99, "range_coverage": 0.97, "wasserstein": 1.2,
                    "wasserstein_normalized": 0.016,
                    "histogram": {"edges": [18, 36, 54, 72, 90], "real": [30, 40, 20, 10], "synthetic": [25, 45, 15, 5]}},
                   {"name": "city & region", "kind": "categorical",
                    "real": {"rows": 100, "null_rate": 0.1, "distinct": 3},
                    "synthetic": {"rows": 90, "null_rate": 0.1, "distinct": 2},
                    "category_adherence": 1.0, "category_coverage": 0.667,
                    "top_categories": [{"value": "Lyon", "real": 0.6, "synthetic": 0.7}, {"value": null, "real": 0.1,
                                        "synthetic": 0.1}],
                    "other_categories": {"real": 0.3, "synthetic": 0.2}},
                   {"name": "day", "kind": "datetime", "unit": "epoch_days",
                    "real": {"rows": 100, "null_rate": 0.0, "min": 19000, "max": 19100, "mean": 19050, "std": 20,
                             "quantiles": {"p05": 19005, "p25": 19025, "p50": 19050, "p75": 19075, "p95": 19095}},
                    "synthetic": {"rows": 90, "null_rate": 0.0, "min": 19000, "max": 19100, "mean": 19050, "std": 20,
                             "quantiles": {"p05": 19005, "p25": 19025, "p50": 19050, "p75": 19075, "p95": 19095}},
                    "boundary_adherence": 1.0, "range_coverage": 1.0, "wasserstein": 0.0, "wasserstein_normalized": 0.0,
                    "histogram": {"edges": [19000, 19050, 19100], "real": [50, 50], "synthetic": [45, 45]}},
                   {"name": "empty", "kind": "numerical",
                    "real": {"rows": 100, "null_rate": 1.0, "min": null, "max": null, "mean": null, "std": null,
                             "quantiles": {"p05": null, "p25": null, "p50": null, "p75": null, "p95": null}},
                    "synthetic": {"rows": 90, "null_rate": 1.0, "min": null, "max": null, "mean": null, "std": null,
                             "quantiles": {"p05": null, "p25": null, "p50": null, "p75": null, "p95": null}},
                    "boundary_adherence": null, "range_coverage": null, "wasserstein": null,
                    "wasserstein_normalized": null}],
                  "pairs": [{"columns": ["age <years>", "day"], "real_correlation": 0.5, "synthetic_correlation": 0.3}]},
                 "likelihood": {"space": "encoded-features", "rows_source": "holdout", "rows": 20, "features": 3,
                   "flow_mean": -3.1, "flow_std_error": 0.1, "baseline_mean": -4.2, "difference": 1.1,
                   "baseline_per_column": [{"column": "age <years>", "mean": -1.4}]},
                 "privacy": {"reference_rows": 20, "holdout_rows": 20, "sampled_synthetic_rows": 90,
                   "median_dcr_synthetic_to_train": 0.1, "median_dcr_holdout_to_train": 0.11,
                   "median_dcr_synthetic_to_holdout": 0.1, "closer_to_train_share": 0.5,
                   "dcr_overfitting_protection": 1.0, "synthetic_rows": 90, "exact_copies": 0, "exact_copy_rate": 0.0,
                   "holdout_exact_copy_rate": 0.0,
                   "rare_values": {"published": 2, "published_not_in_holdout": 0, "columns": [{"column": "city & region",
                     "training_singletons": 3, "published": 2, "published_not_in_holdout": 0}]},
                   "exact_copy_guard": {"enabled": true, "first_draw_copies": 0, "dropped": 0, "redraws": 0, "seconds": 0.4},
                   "singling_out": {"measured": true,
                     "univariate": {"success_train": 0.01, "success_control": 0.01, "success_baseline": 0.0,
                                    "risk": 0.0, "risk_interval": [0.0, 0.02]},
                     "multivariate": {"success_train": 0.02, "success_control": 0.02, "success_baseline": 0.0,
                                    "risk": 0.0, "risk_interval": [0.0, 0.03]}},
                   "linkability": {"measured": true, "columns_a": ["age <years>"], "columns_b": ["day"],
                     "success_train": 0.01, "success_control": 0.01, "success_baseline": 0.01,
                     "risk": 0.0, "risk_interval": [0.0, 0.01]},
                   "inference": {"measured": true, "columns": [{"column": "city & region", "success_train": 0.3,
                     "success_control": 0.3, "success_baseline": 0.1, "risk": 0.01, "risk_interval": [0.0, 0.04]}]},
                   "protections": [{"column": "city & region", "kind": "categorical", "protected_categories": 3,
                     "protected_rows": 4}, {"column": "day", "kind": "datetime"}]}}
                """;
        ObjectNode report = (ObjectNode) new ObjectMapper().readTree(json);
        PrivacyVerdict v = PrivacyVerdict.of(report.path("privacy"));
        ObjectNode verdict = ((ObjectNode) report.get("privacy")).putObject("verdict");
        verdict.put("level", v.level());
        verdict.put("text", v.text());
        return report;
    }

    static Document parse(String html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pageIsWellFormedSelfContainedAndAccessible() throws Exception {
        String html = ReportPage.render(sampleReport());
        Document doc = parse(html); // throws on malformed markup

        assertThat(doc.getElementsByTagName("h1").getLength()).isEqualTo(1);
        List<String> h2 = texts(doc.getElementsByTagName("h2"));
        assertThat(h2).contains("Overall scores", "Privacy", "Likelihood", "Columns", "Column distributions",
                "Column pair trends");
        assertThat(doc.getElementsByTagName("h3").getLength()).isEqualTo(4); // one per column
        // one chart per column with values, plus the heat map; every chart labelled
        NodeList svgs = doc.getElementsByTagName("svg");
        assertThat(svgs.getLength()).isEqualTo(3 + 1);
        for (int i = 0; i < svgs.getLength(); i++) {
            Element svg = (Element) svgs.item(i);
            assertThat(svg.getAttribute("role")).isEqualTo("img");
            assertThat(svg.getAttribute("aria-labelledby")).isNotBlank();
            assertThat(((Element) svg.getParentNode()).getTagName()).isEqualTo("figure");
        }
        assertThat(doc.getElementsByTagName("figcaption").getLength()).isEqualTo(svgs.getLength());
        // every header cell says what it heads
        NodeList ths = doc.getElementsByTagName("th");
        for (int i = 0; i < ths.getLength(); i++) {
            assertThat(((Element) ths.item(i)).getAttribute("scope")).isIn("col", "row");
        }
        Element table = doc.getElementById("column-table") != null ? doc.getElementById("column-table")
                : findById(doc, "column-table");
        assertThat(table).isNotNull();
        assertThat(table.getElementsByTagName("tbody").item(0).getChildNodes().getLength()).isGreaterThanOrEqualTo(4);
        assertThat(table.getElementsByTagName("button").getLength()).isEqualTo(9);
        // self-contained: no external resources
        assertThat(html).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<link");
        assertThat(doc.getElementsByTagName("script").getLength()).isEqualTo(1);
        // names are escaped, datetimes shown as dates, verdict present
        assertThat(html).contains("age &lt;years&gt;").contains("city &amp; region").contains("2022-01-08");
        assertThat(html).contains("verdict-low");
        // attacks, the guard and the protections are shown
        assertThat(html).contains("Privacy attacks").contains("Inference of city &amp; region")
                .contains("Linkability (age &lt;years&gt; | day)").contains("Exact-copy guard")
                .contains("protected categories: 3").contains("seen only once");
    }

    @Test
    void styleSheetAndSortScriptAreInlinedWholeFromTheirClasspathResources() throws Exception {
        String css;
        String js;
        try (var in = ReportPage.class.getResourceAsStream("report.css");
             var script = ReportPage.class.getResourceAsStream("report-sort.js")) {
            css = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            js = new String(script.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertThat(css).contains("th[aria-sort=ascending] button::after{content:' \\25B2'}").endsWith("}\n");
        assertThat(js).contains("getElementById('column-table')").endsWith("})();\n");
        String html = ReportPage.render(sampleReport());
        assertThat(html).contains("<style>\n" + css + "</style>")
                .contains("<script>//<![CDATA[\n" + js + "//]]></script>");
    }

    @Test
    void anAttackThatSucceedsOnTrainingRowsOrAGuardThatDroppedManyCopiesIsNeverLow() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String calm = "\"dcr_overfitting_protection\": 0.95, \"exact_copy_rate\": 0.0, \"holdout_exact_copy_rate\": 0.0,"
                + "\"synthetic_rows\": 1000";
        assertThat(PrivacyVerdict.of(m.readTree("{" + calm + ", \"linkability\": {\"risk\": 0.6, "
                + "\"risk_interval\": [0.5, 0.7]}}")).level()).isEqualTo("high");
        assertThat(PrivacyVerdict.of(m.readTree("{" + calm + ", \"inference\": {\"columns\": [{\"column\": \"x\", "
                + "\"risk\": 0.15, \"risk_interval\": [0.08, 0.22]}]}}")).level()).isEqualTo("moderate");
        assertThat(PrivacyVerdict.of(m.readTree("{" + calm + ", \"inference\": {\"columns\": [{\"column\": \"x\", "
                + "\"risk\": 0.04, \"risk_interval\": [0.0, 0.1]}]}}")).level()).isEqualTo("low");
        assertThat(PrivacyVerdict.of(m.readTree("{" + calm + ", \"rare_values\": {\"published_not_in_holdout\": 1}}"))
                .level()).isEqualTo("moderate");
        assertThat(PrivacyVerdict.of(m.readTree("{" + calm + ", \"rare_values\": {\"published_not_in_holdout\": 12}}"))
                .text()).startsWith("High risk").contains("12 training values seen once");
        PrivacyVerdict guarded = PrivacyVerdict.of(m.readTree("{" + calm + ", \"exact_copy_guard\": {\"enabled\": true, "
                + "\"first_draw_copies\": 300, \"dropped\": 320}}"));
        assertThat(guarded.level()).isEqualTo("high");
        assertThat(guarded.text()).contains("guard");
    }

    @Test
    void verdictLevelsFollowProtectionAndExcessCopies() throws Exception {
        ObjectMapper m = new ObjectMapper();
        assertThat(PrivacyVerdict.of(m.readTree("{\"dcr_overfitting_protection\": 0.95, \"exact_copy_rate\": 0.0,"
                + "\"holdout_exact_copy_rate\": 0.0}")).level()).isEqualTo("low");
        assertThat(PrivacyVerdict.of(m.readTree("{\"dcr_overfitting_protection\": 0.8, \"exact_copy_rate\": 0.005,"
                + "\"holdout_exact_copy_rate\": 0.0}")).level()).isEqualTo("moderate");
        assertThat(PrivacyVerdict.of(m.readTree("{\"dcr_overfitting_protection\": 0.95, \"exact_copy_rate\": 0.2,"
                + "\"holdout_exact_copy_rate\": 0.0}")).level()).isEqualTo("high");
        assertThat(PrivacyVerdict.of(m.readTree("{\"dcr_overfitting_protection\": 0.95, \"exact_copy_rate\": 0.2,"
                + "\"holdout_exact_copy_rate\": 0.2}")).level()).isEqualTo("low"); // duplicates natural to the data
        PrivacyVerdict none = PrivacyVerdict.of(m.readTree("{\"dcr_overfitting_protection\": null, "
                + "\"exact_copy_rate\": 0.01}"));
        assertThat(none.level()).isEqualTo("unknown");
        assertThat(none.text()).contains("holdout").contains("1.00%");
    }

    private static Element findById(Document doc, String id) {
        NodeList all = doc.getElementsByTagName("*");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (id.equals(e.getAttribute("id"))) {
                return e;
            }
        }
        return null;
    }

    private static List<String> texts(NodeList nodes) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }
}
