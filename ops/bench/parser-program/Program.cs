// Parser benchmark (issue 32.1), started by ops/bench/parser: reads 1 MiB documents of each
// hostile shape and a benign 1 MiB document of the same structure, as a preview does (parse,
// then the candidates), and prints one line per document: name, characters, median and best
// milliseconds of the runs, ratio of the median to the benign document's.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ActionTracker.Api.Postmortems;
using ActionTracker.Api.Postmortems.Preview;

const int Size = 1024 * 1024;
var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;

// Lines as long as a document may have them (PostmortemParser.MaxLineLength), repeated to 1 MiB.
static string Fill(string head, Func<int, string> line)
{
    var text = new StringBuilder(head, Size + PostmortemParser.MaxLineLength);
    for (var i = 0; text.Length + PostmortemParser.MaxLineLength < Size; i++)
        text.Append(line(i)).Append('\n');
    return text.ToString();
}
static string Repeat(string unit, int length) => new StringBuilder(length + unit.Length).Insert(0, unit, length / unit.Length).ToString();
var width = PostmortemParser.MaxLineLength - 10;

var documents = new (string Name, string Text)[]
{
    ("benign: an action list and prose, 1 MiB", Fill("# Incident\n\n## Action items\n\n", i => i % 3 == 2
        ? "We will add connection pool saturation alerts to the gateway dashboards. " + Repeat("The pool was saturated for twenty minutes before anyone noticed it. ", width - 80)
        : $"{i + 1}. Alert when the connection pool of gateway {i} is more than 90% used, and " + Repeat("page the owner of the service with a link to the runbook entry. ", width - 90))),
    ("heading padded with spaces: \"# x\" + spaces + \"y\"", Fill("## Action items\n\n", _ => "# x" + new string(' ', width) + "y")),
    ("bold that never closes: \"- \" + \"**a \" repeated", Fill("## Action items\n\n", _ => "- " + Repeat("**a ", width))),
    ("emphasis that never closes: \"- \" + \"*a \" and \"_a \" repeated", Fill("## Action items\n\n", _ => "- " + Repeat("*a _a ", width))),
    ("links and images that never close: \"[\", \"![\", \"<http:\"", Fill("## Action items\n\n", i => "- " + Repeat(i % 3 == 0 ? "[a" : i % 3 == 1 ? "![a" : "<http:a", width))),
    ("runs of backticks", Fill("## Action items\n\n", _ => "- " + new string('`', width))),
    ("comments that never close: \"<!--\" repeated", Fill("## Action items\n\n", _ => Repeat("<!--", width))),
    ("many short sentences: \"a. B \" repeated", Fill("## Action items\n\n", _ => "- " + Repeat("e.g. A a. B ", width))),
    ("one prose paragraph of commitments", Fill("# Incident\n\n## What we are changing\n\n", _ => Repeat("We will add an alert for this. ", width))),
};

var benign = 0.0;
foreach (var (name, text) in documents)
{
    var times = new List<double>();
    for (var run = 0; run < runs + 1; run++)
    {
        var clock = Stopwatch.StartNew();
        var parsed = PostmortemParser.Parse(text);
        _ = PostmortemPreview.Candidates(parsed);
        if (run > 0) // the first run warms up
            times.Add(clock.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    var median = times[times.Count / 2];
    if (benign == 0)
        benign = median;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}\t{text.Length}\t{median:F0}\t{times[0]:F0}\t{median / benign:F2}"));
}
