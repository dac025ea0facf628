using System.Text.RegularExpressions;
using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Generators.Tests;

/// <summary>The generator registers a timeout or child policy exactly when the analyzers accept it, with the value
/// they check: one rule, never a laxer copy that turns a value the analyzer rejects into a registration default.</summary>
public sealed partial class RegistrationValueTests
{
    [TestCase("00:10:00", "600", "600")]
    [TestCase("1.00:00:00", "86400", "86400")]
    [TestCase(" 00:01:00 ", "60", "60")]
    [TestCase("NONE", "NONE", null, Description = "SWF refuses NONE for an execution")]
    [TestCase("400.00:00:00", "34560000", null, Description = "an execution lasts at most a year")]
    [TestCase("none", null, null, Description = "NONE is written in capitals")]
    [TestCase("30", null, null, Description = "TimeSpan reads a bare number as days")]
    [TestCase("25:00:00", null, null, Description = "TimeSpan reads hours over 23 as days")]
    [TestCase("00:00:01.5", null, null, Description = "SWF durations are whole seconds")]
    [TestCase("-00:00:01", null, null)]
    [TestCase("soon", null, null)]
    public async Task A_timeout_is_registered_exactly_when_the_analyzer_accepts_it(string value, string? seconds, string? executionSeconds)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using Flow;
            namespace App;
            [Activities(StartToClose = "{{value}}")] public partial interface IActs { [Activity(Heartbeat = "{{value}}")] Task RunAsync(); }
            [Workflow(ExecutionStartToClose = "{{value}}", TaskStartToClose = "{{value}}")] public partial interface IFlow { [Execute] Task RunAsync(); }
            """;

        var (generated, rejected) = await RunAsync(source);

        Assert.That(Setting(generated, "DefaultStartToCloseTimeout"), Is.EqualTo(seconds));
        Assert.That(Setting(generated, "DefaultHeartbeatTimeout"), Is.EqualTo(seconds));
        Assert.That(Setting(generated, "DefaultTaskStartToCloseTimeout"), Is.EqualTo(seconds));
        Assert.That(Setting(generated, "DefaultExecutionStartToCloseTimeout"), Is.EqualTo(executionSeconds));
        Assert.That(rejected, Is.EqualTo((seconds is null ? 3 : 0) + (executionSeconds is null ? 1 : 0)), "FLOW024 reported");
    }

    [TestCase("TERMINATE", "Terminate")]
    [TestCase("REQUEST_CANCEL", "RequestCancel")]
    [TestCase("ABANDON", "Abandon")]
    [TestCase("terminate", null)]
    [TestCase(" ABANDON", null)]
    [TestCase("Abandon", null)]
    public async Task A_child_policy_is_registered_exactly_when_the_analyzer_accepts_it(string value, string? member)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using Flow;
            namespace App;
            [Workflow(ChildPolicy = "{{value}}")] public partial interface IFlow { [Execute] Task RunAsync(); }
            """;

        var (generated, rejected) = await RunAsync(source);

        var policy = ChildPolicyLine().Match(generated);
        Assert.That(policy.Success ? policy.Groups[1].Value : null, Is.EqualTo(member));
        Assert.That(rejected, Is.EqualTo(member is null ? 1 : 0), "FLOW025 reported");
    }

    /// <summary>All generated text, and how many FLOW024/FLOW025 errors the analyzers report.</summary>
    private static async Task<(string Generated, int Rejected)> RunAsync(string source)
    {
        var compilation = GeneratorHarness.Compile(source);
        var (result, _) = GeneratorHarness.Run(compilation);
        var analyzers = await compilation.WithAnalyzers([new SwfTypeAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        return (string.Concat(result.GeneratedTrees.Select(t => t.ToString())), analyzers.Count(d => d.Id is "FLOW024" or "FLOW025"));
    }

    /// <summary>The value a definition's initializer gives <paramref name="property"/>; every one found must agree.</summary>
    private static string? Setting(string generated, string property)
    {
        var values = Regex.Matches(generated, $@"\b{property} = ""([^""]*)""").Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.That(values, Has.Count.LessThanOrEqualTo(1), property);
        return values.SingleOrDefault();
    }

    [GeneratedRegex(@"DefaultChildPolicy = global::Flow\.Swf\.ChildPolicy\.(\w+),")]
    private static partial Regex ChildPolicyLine();
}
