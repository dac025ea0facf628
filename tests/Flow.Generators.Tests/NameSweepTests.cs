using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Flow.Generators.Tests;

/// <summary>Every name generated code declares or uses (its types, members, parameters and locals), keywords, and
/// object's members, given to a contract member, parameter or surrounding type in every role: the generated code
/// must add no compiler diagnostic of its own, and a contract it leaves out must have a Flow error that says why.
/// The names run in parallel: each is a compilation of its own, and there are many.</summary>
[Parallelizable(ParallelScope.Children)]
public sealed class NameSweepTests
{
    private static readonly string[] s_names =
    [
        // Keywords and contextual keywords.
        "return", "class", "int", "event", "this", "params", "default", "checked", "object", "string", "in",
        "var", "await", "async", "record", "nameof", "value", "field", "global", "dynamic", "partial", "when", "args",
        // The generated types of IFoo (activities) and IBar (workflow), and the workflow dispatch's nested class.
        "FooClient", "FooDispatch", "BarClient", "BarRun", "BarChildClient", "BarSelfClient", "BarDispatch", "Instance",
        // Their members.
        "Options", "WithOptions", "Definitions", "CreateHandlers", "Definition", "CreateHandler", "Client", "Execution",
        "WorkflowId", "RunId", "StartAsync", "GetRun", "GetStateAsync", "RequestCancelAsync", "TerminateAsync",
        "DescribeAsync", "GetResultAsync", "ContinueAsNew", "ExecuteAsync", "HandleSignal", "GetState", "_workflowId",
        // object's members.
        "Equals", "GetHashCode", "GetType", "ToString", "MemberwiseClone", "Finalize", "ReferenceEquals",
        // Parameters and locals of generated methods, and names generated code qualifies.
        "reader", "input", "context", "factory", "workflow", "signalName", "arg0", "options", "cancellationToken",
        "workflowId", "reason", "details", "childPolicy", "runId", "client", "execution", "Flow", "System", "Task",
        "Payload", "Async",
    ];

    /// <summary>Each role is a file of its own namespace; {0} is the name.</summary>
    private static readonly (string Role, string Source)[] s_roles =
    [
        ("activity method", "[Activities] public partial interface IFoo { Task @{0}(); Task OtherAsync(); }"),
        ("activity method ending in Async", "[Activities] public partial interface IFoo { Task<int> @{0}Async(int x); }"),
        ("activity parameters", "[Activities] public partial interface IFoo { Task<int> RunAsync(int @{0}, string other); Task SlowAsync(string @{0}, CancellationToken token); }"),
        ("activity cancellation token", "[Activities] public partial interface IFoo { Task StopAsync(int x, CancellationToken @{0}); }"),
        ("[Execute] method", "[Workflow] public partial interface IBar { [Execute] Task<int> @{0}(int x); [Signal] Task GoAsync(); [GetState] int State { get; } }"),
        ("signal", "[Workflow] public partial interface IBar { [Execute] Task RunAsync(); [Signal] Task @{0}(int x); }"),
        ("void signal ending in Async", "[Workflow] public partial interface IBar { [Execute] Task RunAsync(); [Signal] void @{0}Async(); }"),
        ("[GetState] method", "[Workflow] public partial interface IBar { [Execute] Task RunAsync(); [GetState] int @{0}(); }"),
        ("[GetState] property", "[Workflow] public partial interface IBar { [Execute] Task RunAsync(); [GetState] int @{0} { get; } }"),
        ("workflow parameters", "[Workflow] public partial interface IBar { [Execute] Task<string> RunAsync(string @{0}, int other); [Signal] Task GoAsync(string @{0}, int other); [Signal] void Stop(int @{0} = 1); }"),
        ("containing type", "public partial class @{0} { [Activities] public partial interface IFoo { Task RunAsync(); } [Workflow] public partial interface IBar { [Execute] Task RunAsync(); } }"),
        ("member of the containing type", "public partial class Host { public static int @{0}() => 0; [Activities] public partial interface IFoo { Task RunAsync(); } [Workflow] public partial interface IBar { [Execute] Task RunAsync(); } }"),
        ("type containing the payload types", "public static class @{0} { public sealed record Item(int X); public enum Kind { A } } [Activities] public partial interface IFoo { global::System.Threading.Tasks.Task<@{0}.Item> GetAsync(@{0}.Item item, @{0}.Kind kind); } [Workflow] public partial interface IBar { [Execute] global::System.Threading.Tasks.Task<@{0}.Item> RunAsync(@{0}.Item item); [Signal] global::System.Threading.Tasks.Task GoAsync(@{0}.Kind kind); [GetState] @{0}.Item State { get; } }"),
        ("type beside the contracts", "public sealed class @{0} { } [Activities] public partial interface IFoo { Task RunAsync(); } [Workflow] public partial interface IBar { [Execute] Task RunAsync(); }"),
    ];

    private static IEnumerable<TestCaseData> Names() => s_names.Select(n => new TestCaseData(n) { TestName = $"Name_{n}" });

    [TestCaseSource(nameof(Names))]
    public async Task Generated_code_adds_no_compiler_diagnostic_and_a_contract_left_out_has_a_Flow_error(string name)
    {
        var trees = s_roles.Select((role, i) => CSharpSyntaxTree.ParseText(
            $"using System; using System.Threading; using System.Threading.Tasks; using Flow;\nnamespace R{i};\n{role.Source.Replace("{0}", name, StringComparison.Ordinal)}\n",
            GeneratorHarness.ParseOptions, path: $"Role{i}.cs")).ToList();
        var compilation = CSharpCompilation.Create("Sweep", trees, GeneratorHarness.Compile().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

        var (result, output) = GeneratorHarness.Run(compilation);
        var analyzers = await compilation.WithAnalyzers([new ContractShapeAnalyzer(), new SwfTypeAnalyzer()]).GetAnalyzerDiagnosticsAsync();

        var before = Diagnostics(compilation);
        var added = Diagnostics(output);
        foreach (var diagnostic in before)
        {
            added.Remove(diagnostic);
        }

        var generated = result.GeneratedTrees.Select(t => Path.GetFileName(t.FilePath)).ToHashSet();
        Assert.Multiple(() =>
        {
            Assert.That(result.Diagnostics.Select(d => d.ToString()), Is.Empty, "generator diagnostics");
            Assert.That(added, Is.Empty, "compiler diagnostics the generated code added");
            for (var i = 0; i < trees.Count; i++)
            {
                var model = compilation.GetSemanticModel(trees[i]);
                foreach (var contract in trees[i].GetRoot().DescendantNodes().OfType<InterfaceDeclarationSyntax>())
                {
                    var symbol = model.GetDeclaredSymbol(contract)!;
                    var hint = symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Substring("global::".Length).Replace("@", "") + ".Flow.g.cs";
                    if (!generated.Any(g => g.EndsWith(hint, StringComparison.Ordinal)))
                    {
                        Assert.That(analyzers.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree == trees[i]), Is.Not.Empty,
                            $"{s_roles[i].Role}: {symbol.Name} got no generated code and no Flow error");
                    }
                }
            }
        });
    }

    private static List<string> Diagnostics(Compilation compilation)
        => compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToList();
}
