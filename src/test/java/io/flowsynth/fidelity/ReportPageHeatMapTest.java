package io.flowsynth.fidelity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;

/** The pair heat map of a wide table: readable (at most 30 columns, labelled on both axes) and honest about sampling. */
class ReportPageHeatMapTest {
    @Test
    void aWideTableShowsTheColumnsOfItsWorstPairsLabelledOnBothAxesAndStatesThePairSample() throws Exception {
        ObjectNode report = ReportPageTest.sampleReport();
        ArrayNode columns = report.putArray("columns");
        int n = 120;
        for (int i = 0; i < n; i++) {
            columns.addObject().put("name", "col" + i).put("kind", "numerical").put("metric", "KSComplement")
                    .put("score", 0.9);
        }
        ArrayNode pairs = report.putArray("pairs");
        // a sample of pairs: (i, i+1) for every i, the worst ones among columns 50..69
        for (int i = 0; i + 1 < n; i++) {
            ObjectNode p = pairs.addObject();
            p.putArray("columns").add("col" + i).add("col" + (i + 1));
            p.put("metric", "CorrelationSimilarity").put("score", i >= 50 && i < 70 ? 0.5 + i / 1000.0 : 0.99);
        }
        report.putObject("pair_sampling").put("total_pairs", n * (n - 1) / 2).put("scored_pairs", n - 1)
                .put("max_pairs", n - 1).put("seed", 42);
        ((ObjectNode) report.path("diagnostics")).putArray("pairs");

        String html = ReportPage.render(report);
        Document doc = ReportPageTest.parse(html);
        assertThat(html).contains("uniform sample of 119 of them").contains("7,140 column pairs");
        Element heat = null;
        NodeList svgs = doc.getElementsByTagName("svg");
        for (int i = 0; i < svgs.getLength(); i++) {
            Element svg = (Element) svgs.item(i);
            if (svg.getAttribute("aria-labelledby").startsWith("heat")) {
                heat = svg;
            }
        }
        assertThat(heat).isNotNull();
        List<String> rowLabels = new ArrayList<>();
        List<String> columnLabels = new ArrayList<>();
        NodeList texts = heat.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            if (t.getTextContent().startsWith("col")) {
                (t.hasAttribute("transform") ? columnLabels : rowLabels).add(t.getTextContent());
            }
        }
        assertThat(rowLabels).hasSizeLessThanOrEqualTo(PairHeatMap.HEAT_MAX_COLUMNS).isEqualTo(columnLabels)
                .hasSize(PairHeatMap.HEAT_MAX_COLUMNS).contains("col50", "col60", "col70").doesNotContain("col100", "col119");
        // readable cells: at least 14 px
        NodeList rects = heat.getElementsByTagName("rect");
        Element first = (Element) rects.item(0);
        assertThat(Integer.parseInt(first.getAttribute("width"))).isGreaterThanOrEqualTo(13);
        // pairs among the shown columns that were not scored are grey, not white
        assertThat(html).contains("not scored");
    }
}
