using System.Collections;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Flow.Generators.Tests;

public sealed class CachingTests
{
    private static readonly string[] s_trackedSteps =
    [
        TrackingNames.Activities, TrackingNames.Workflows, TrackingNames.UserContexts, TrackingNames.AssemblyName, TrackingNames.JsonMetadata,
    ];

    private const string UserContext = """
        using System.Text.Json.Serialization;
        [assembly: Flow.FlowJsonContext(typeof(Samples.Files.ExtraJson))]
        namespace Samples.Files
        {
            [JsonSerializable(typeof(int))]
            internal sealed partial class ExtraJson : JsonSerializerContext { }
        }
        """;

    private static (GeneratorDriver Driver, CSharpCompilation Compilation) FirstRun()
    {
        var compilation = GeneratorHarness.Compile(
            Sources.FileProcessing, Sources.SmallWorkflows, Sources.UserShapes, Sources.UnsupportedMembers, UserContext, "namespace Other { class Unrelated { int x; } }");
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        return (driver, compilation);
    }

    [Test]
    public void After_an_unrelated_edit_every_tracked_step_is_cached_or_unchanged()
    {
        var (driver, compilation) = FirstRun();
        var unrelated = compilation.SyntaxTrees.Last();
        var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(
            "namespace Other { class Unrelated { int x; int y; } }")))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Added { }", GeneratorHarness.ParseOptions));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        Assert.Multiple(() =>
        {
            foreach (var name in s_trackedSteps)
            {
                Assert.That(result.TrackedSteps.ContainsKey(name), Is.True, $"step {name} did not run");
                var reasons = result.TrackedSteps[name].SelectMany(step => step.Outputs).Select(output => output.Reason);
                Assert.That(reasons, Is.Not.Empty.And.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged), name);
            }

            Assert.That(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs).Select(o => o.Reason),
                Has.All.EqualTo(IncrementalStepRunReason.Cached), "source outputs");
        });
    }

    [Test]
    public void Editing_one_contract_regenerates_only_that_contract()
    {
        var (driver, compilation) = FirstRun();
        var small = compilation.SyntaxTrees.ElementAt(1);
        var edited = compilation.ReplaceSyntaxTree(small, CSharpSyntaxTree.ParseText(
            Sources.SmallWorkflows.Replace("[Execute] Task RunAsync();", "[Execute] Task RunAsync(int rounds);"), GeneratorHarness.ParseOptions, small.FilePath));

        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        var workflows = result.TrackedSteps[TrackingNames.Workflows].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.That(workflows.Count(r => r == IncrementalStepRunReason.Modified), Is.EqualTo(1));
        Assert.That(result.TrackedSteps[TrackingNames.Activities].SelectMany(s => s.Outputs).Select(o => o.Reason),
            Has.All.AnyOf(IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged));
    }

    [Test]
    public void The_model_graph_holds_no_symbols_syntax_locations_or_compilation()
    {
        var (driver, _) = FirstRun();
        var result = driver.GetRunResult().Results.Single();

        var offenders = new List<string>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var (name, steps) in result.TrackedSteps.Where(s => s_trackedSteps.Contains(s.Key)))
        {
            foreach (var output in steps.SelectMany(s => s.Outputs))
            {
                Walk(output.Value, name, visited, offenders);
            }
        }

        Assert.That(visited, Has.Count.GreaterThan(50), "the walk reached the models");
        Assert.That(offenders, Is.Empty);
    }

    private static void Walk(object? value, string path, HashSet<object> visited, List<string> offenders)
    {
        if (value is null or string || value.GetType().IsPrimitive || value.GetType().IsEnum || (!value.GetType().IsValueType && !visited.Add(value)))
        {
            return;
        }

        if (value is ISymbol or SyntaxNode or SyntaxTree or Compilation or SemanticModel or Location or AttributeData)
        {
            offenders.Add($"{path}: {value.GetType().Name}");
            return;
        }

        if (value.GetType().IsValueType)
        {
            visited.Add(value);
        }

        if (value is IEnumerable items)
        {
            var i = 0;
            foreach (var item in items)
            {
                Walk(item, $"{path}[{i++}]", visited, offenders);
            }

            return;
        }

        foreach (var field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            Walk(field.GetValue(value), $"{path}.{field.Name}", visited, offenders);
        }
    }
}
