using System.Text.RegularExpressions;
using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Generators.Tests.Analyzers;

/// <summary>DIAGNOSTICS.md is the user's reference: it must list exactly the diagnostics the analyzers report,
/// with the same severity.</summary>
public sealed partial class DiagnosticCatalogTests
{
    private static readonly DiagnosticAnalyzer[] s_analyzers =
        [new ContractShapeAnalyzer(), new SwfTypeAnalyzer(), new WorkflowDeterminismAnalyzer()];

    private static IEnumerable<DiagnosticDescriptor> Descriptors() => s_analyzers.SelectMany(a => a.SupportedDiagnostics);

    [Test]
    public void Every_analyzer_diagnostic_has_a_unique_id_below_the_generators_and_the_Flow_category()
    {
        var descriptors = Descriptors().ToList();
        Assert.That(descriptors.Select(d => d.Id), Is.Unique.And.All.Match(IdPattern()));
        Assert.That(descriptors.Select(d => d.Category), Is.All.EqualTo("Flow"));
    }

    [Test]
    public void The_markdown_table_lists_every_diagnostic_with_its_severity()
    {
        var markdown = File.ReadAllText(Flow.Tests.TestRepository.File("src", "Flow.Generators", "Analyzers", "DIAGNOSTICS.md"));
        // FLOW100 and up are the generator's; the rest of the table must be exactly the analyzers' diagnostics.
        var documented = TableRow().Matches(markdown)
            .Where(m => string.CompareOrdinal(m.Groups["id"].Value, "FLOW100") < 0)
            .ToDictionary(m => m.Groups["id"].Value, m => m.Groups["severity"].Value);
        var reported = Descriptors().ToDictionary(d => d.Id, d => d.DefaultSeverity.ToString());

        Assert.That(documented, Is.EquivalentTo(reported));
    }

    [GeneratedRegex("^FLOW0[0-9]{2}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"^\| (?<id>FLOW\d{3}) \| (?<severity>\w+) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
