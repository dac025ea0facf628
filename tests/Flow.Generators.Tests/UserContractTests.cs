using System.Collections.Immutable;
using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Flow.Generators.Tests;

/// <summary>Contracts as users write them, beyond the snapshots: each must give generated code that compiles with
/// every warning on (XML documentation included, as in a library with GenerateDocumentationFile and
/// TreatWarningsAsErrors), with calls that use the generated clients as C# allows the contract to be called; and
/// each unsupported shape must give only the analyzer's error, never one inside generated code.</summary>
public sealed class UserContractTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Flow;

        """;

    private static readonly CSharpParseOptions s_parseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static IEnumerable<TestCaseData> Supported()
    {
        yield return Case("nested block namespaces", """
            namespace Outer
            {
                namespace Inner
                {
                    public sealed record Item(string Name);
                    [Activities] public partial interface IStore { Task<Item> GetAsync(string id); }
                }
            }
            """);
        yield return Case("contracts nested in a static partial class", """
            namespace App;
            public static partial class Contracts
            {
                public sealed record Item(string Name);
                [Activities] public partial interface IStore { Task<Item> GetAsync(string id); }
                [Workflow] internal partial interface IFlow { [Execute] Task<Item> RunAsync(Item item); [Signal] Task GoAsync(); }
            }
            public static class Use
            {
                internal static Contracts.IStore Store() => new Contracts.StoreClient();
                internal static WorkflowDefinition Definition() => Contracts.FlowDispatch.Definition;
            }
            """);
        yield return Case("contracts nested in a record struct, an interface and a class, private and protected", """
            namespace App;
            public readonly partial record struct Host(int X)
            {
                [Activities] public partial interface IStore { Task<string> GetAsync(string id); }
            }
            public partial interface IHostInterface
            {
                [Activities] public partial interface IStore2 { Task<string> GetAsync(string id); }
            }
            public partial class Owner
            {
                [Activities] private partial interface IHidden { Task<string> GetAsync(string id); }
                [Workflow] protected internal partial interface IGuarded { [Execute] Task RunAsync(int x); }
                private static object Client() => new HiddenClient();
            }
            """);
        yield return Case("namespaces and containing types named with keywords", """
            namespace App.@event.@base
            {
                public partial class @record
                {
                    public sealed record Item(string Name);
                    [Activities] public partial interface IStore { Task<Item> GetAsync(string id); }
                    [Workflow] public partial interface IFlow { [Execute] Task<Item> RunAsync(Item item); }
                }
            }
            """);
        yield return Case("a contract in a file without nullable annotations", """
            #nullable disable
            namespace App;
            public sealed class Item { public string Name { get; set; } public List<string> Tags { get; set; } }
            [Activities] public partial interface IOblivious { Task<Item> GetAsync(string id, Item item, int? n); Task<string[]> ListAsync(); }
            [Workflow] public partial interface IObliviousFlow { [Execute] Task<Item> RunAsync(Item item); [Signal] Task GoAsync(string why); [GetState] Item State { get; } }
            """);
        yield return Case("an activities contract without methods, and one nested in another contract", """
            namespace App;
            [Activities] public partial interface IEmpty { }
            [Activities] public partial interface IOuter
            {
                Task PingAsync();
                [Activities] public partial interface IInner { Task<int> CountAsync(); }
            }
            """);
        yield return Case("a workflow in the global namespace", """
            public sealed record GlobalItem(string Name);
            [Workflow] public partial interface IGlobalFlow
            {
                [Execute] Task<GlobalItem> RunAsync(GlobalItem item);
                [Signal] Task GoAsync(int x);
                [GetState] GlobalItem? State { get; }
            }
            """);
        yield return Case("generic payload records", """
            namespace App;
            public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
            public sealed record Box<T>(T? Value);
            public sealed record Pair<TA, TB>(TA First, TB Second);
            [Activities] public partial interface IGeneric
            {
                Task<Page<Page<int>>> AAsync(Box<int> a, Box<string> b, Box<int?> c);
                Task<Pair<string, List<Box<DateTimeOffset>>>> BAsync(Pair<int, Guid> p);
            }
            """);
        yield return Case("nullable reference and value types in every position", """
            namespace App;
            public enum Color { Red, Green }
            public sealed record Item(string? Name, int? Count, List<string?>? Tags, Dictionary<string, int?> Map, Color? Color)
            {
                public DateTimeOffset? At { get; init; }
                public int?[]? Numbers { get; set; }
            }
            [Activities] public partial interface INullables
            {
                Task<Item?> AAsync(Item? item, string? s, int? i, Color? c, List<Item?>? items, Dictionary<string, Item?>? map);
                Task<int?> BAsync(DateTimeOffset? at, byte[]? data, Guid? id);
                Task<string?[]?> CAsync(IReadOnlyList<int?> list);
            }
            [Workflow] public partial interface INullableFlow
            {
                [Execute] Task<Item?> RunAsync(Item? item, int? n);
                [Signal] Task SignalAsync(string? a, int? b);
                [Signal] void Note(Item? a);
                [GetState] Item? State();
            }
            """);
        yield return Case("params arrays", """
            namespace App;
            [Activities] public partial interface IParams { Task LogAsync(string prefix, params string[] lines); }
            [Workflow] public partial interface IParamsFlow { [Execute] Task RunAsync(params int[] values); [Signal] Task AddAsync(params string[] names); }
            public static class Use
            {
                public static Task A(ParamsClient c) => c.LogAsync("p", "a", "b");
                public static Exception B(ParamsFlowSelfClient c) => c.ContinueAsNew(1, 2, 3);
                public static Task C(ParamsFlowChildClient c) => c.AddAsync("x", "y");
                public static Task D(ParamsFlowClient c) => c.StartAsync("id", [1, 2]);
            }
            """);
        yield return Case("default parameter values of every constant kind", """
            namespace App;
            public enum Mode { Fast = 1, Slow = 2 }
            public enum Signed { Minus = -1, Zero = 0 }
            [Flags] public enum Opt { None = 0, A = 1, B = 2 }
            [Activities] public partial interface IDefaults
            {
                Task<int> RunAsync(int retries = 3, string? note = null, string name = "x\"y", Mode mode = Mode.Slow, Opt opt = Opt.A | Opt.B,
                    decimal amount = 1.1m, double ratio = 0.1, float f = 2.5f, long big = long.MaxValue, char ch = '\'', bool flag = true,
                    DateTimeOffset? at = null, Guid id = default, double nan = double.NaN, float inf = float.NegativeInfinity, Signed s = Signed.Minus,
                    Mode? maybe = Mode.Fast, ulong huge = ulong.MaxValue, double tiny = 1e-300, CancellationToken cancellationToken = default);
            }
            [Workflow] public partial interface IDefaultsFlow
            {
                [Execute] Task RunAsync(string id, int retries = 3, string? options = null);
                [Signal] Task PokeAsync(int times = 1);
            }
            public sealed record Defaults(double Nan = double.NaN, float F = 2.5f, decimal M = 0.1m, Mode Mode = Mode.Slow);
            [Activities] public partial interface IRecordDefaults { Task AAsync(Defaults d); }
            public static class Use
            {
                public static Task A(DefaultsClient c) => c.RunAsync();
                public static Task B(DefaultsFlowClient c) => c.StartAsync("workflow-id", "id");
                public static Task C(DefaultsFlowRun r) => r.PokeAsync();
                public static Task D(DefaultsFlowChildClient c) => c.RunAsync("id");
                public static Exception E(DefaultsFlowSelfClient c) => c.ContinueAsNew("id");
            }
            """);
        yield return Case("parameter names that are keywords or generated members' names", """
            namespace App;
            [Activities] public partial interface IKeywords
            {
                Task<string> RunAsync(string @class, int @int, string Options, string reader, string input, string context, string factory);
            }
            [Workflow] public partial interface IKeywordsFlow
            {
                [Execute] Task RunAsync(string @class, string workflowId, string options, string cancellationToken, string Client, string WorkflowId);
                [Signal] Task SignalAsync(string @event, string Execution, string Client, string cancellationToken, string input, string signalName);
            }
            """);
        yield return Case("records with required members", """
            namespace App;
            public sealed record Required
            {
                public required string Name { get; init; }
                public required int Count { get; set; }
                public string? Optional { get; init; }
            }
            public sealed record Positional(string A)
            {
                public required List<string> Tags { get; init; }
            }
            public sealed class SetsRequired
            {
                [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
                public SetsRequired(string name) { Name = name; }
                public SetsRequired() { }
                public required string Name { get; set; }
            }
            [Activities] public partial interface IRequired { Task<Required> AAsync(Positional p, SetsRequired s); }
            """);
        yield return Case("XML documentation on contracts and payloads", """
            namespace App;
            /// <summary>An item.</summary>
            /// <param name="Name">Its name.</param>
            public sealed record Item(string Name);
            /// <summary>Stores.</summary>
            [Activities] public partial interface IStore
            {
                /// <summary>Gets.</summary>
                /// <param name="id">The id.</param>
                /// <returns>The item.</returns>
                Task<Item> GetAsync(string id);
            }
            /// <summary>Flow.</summary>
            [Workflow] public partial interface IDocumentedFlow
            {
                /// <summary>Runs.</summary>
                [Execute] Task<Item> RunAsync(Item item);
                /// <summary>Goes.</summary>
                [Signal] Task GoAsync();
                /// <summary>State.</summary>
                [GetState] Item State { get; }
            }
            """);
        yield return Case("contracts inheriting marker interfaces", """
            namespace App;
            public interface IMarker { }
            public interface IMarker2 : IMarker { const int X = 1; }
            [Activities] public partial interface IMarked : IMarker2 { Task RunAsync(); }
            [Workflow] public partial interface IMarkedFlow : IMarker { [Execute] Task RunAsync(); }
            """);
        yield return Case("byte arrays, DateTimeOffset, enums, IReadOnlyList and Dictionary", """
            namespace App;
            public enum Small : byte { A, B }
            public sealed record Item(string Name, Small S);
            [Activities] public partial interface IShapes
            {
                Task<byte[]> DataAsync(byte[] input);
                Task<DateTimeOffset> NowAsync(DateTimeOffset at);
                Task<IReadOnlyList<Item>> ListAsync(IReadOnlyList<Item> items);
                Task<Dictionary<string, Item>> MapAsync(Dictionary<string, List<Item>> map, Dictionary<Small, int> byEnum);
                Task<Small> EnumAsync(Small s);
            }
            """);
        yield return Case("obsolete members and payload types", """
            namespace App;
            [Obsolete("old")] public sealed record OldItem(string Name);
            [Activities] public partial interface IOld
            {
                [Obsolete("use B")] Task AAsync();
                Task BAsync();
            }
            [Workflow] public partial interface IOldFlow
            {
                [Execute] Task RunAsync();
                [Obsolete] [Signal] Task OldSignalAsync();
            }
            """);
        yield return Case("member and parameter names that are keywords, also once Async is dropped", """
            namespace App;
            [Activities] public partial interface IKeywordNames
            {
                Task<int> @return(int @int);
                Task @class(string @event, CancellationToken @checked);
                Task<string> @ifAsync(string @string);
            }
            [Workflow] public partial interface IKeywordFlow
            {
                [Execute] Task<int> @return(int @int);
                [Signal] Task @class(string @event);
                [Signal] void @forAsync(int @in);
                [GetState] int @is();
            }
            [Workflow] public partial interface IKeywordStateFlow
            {
                [Execute] Task @do(string @default = "x");
                [GetState] string @this { get; }
            }
            public static class Use
            {
                public static Task<int> A(KeywordNamesClient c) => c.@return(1);
                public static ActivityDefinition B() => KeywordNamesDispatch.@if;
                public static Task C(KeywordFlowRun r) => r.classAsync("e");
                public static Task D(KeywordFlowRun r) => r.forAsync(1);
                public static Task<KeywordFlowRun> E(KeywordFlowClient c) => c.StartAsync("id", 1);
                public static Exception F(KeywordStateFlowSelfClient c) => c.ContinueAsNew();
                public static Task<string?> G(KeywordStateFlowRun r) => r.GetStateAsync();
            }
            """);
        yield return Case("payload types nested in classes, with the same simple name", """
            namespace App;
            public static class Models
            {
                public sealed record Item(string Name);
                public enum Kind { A, B }
            }
            public static class Other { public sealed record Item(int Id); }
            [Activities] public partial interface INestedPayload { Task<Models.Item> AAsync(Other.Item item, Models.Kind k); }
            """);
    }

    private static IEnumerable<TestCaseData> Unsupported()
    {
        yield return Case("a contract in a generic type", """
            namespace App;
            public partial class Outer<T> { [Activities] public partial interface IStore { Task GetAsync(string id); } }
            """, "FLOW003");
        yield return Case("an inherited static abstract member", """
            namespace App;
            public interface IHasName { static abstract string Name { get; } }
            [Activities] public partial interface IStore : IHasName { Task GetAsync(string id); }
            """, "FLOW029");
        yield return Case("a params span and ValueTask results", """
            namespace App;
            [Activities] public partial interface IStore { Task GetAsync(params ReadOnlySpan<string> ids); ValueTask<int> CountAsync(); }
            """, "FLOW016", "FLOW017");
        yield return Case("a named workflow without [Execute]", """
            namespace App;
            [Workflow(Name = "X")] public partial interface IFlow { [Signal] Task GoAsync(); }
            """, "FLOW005");
        yield return Case("a ValueTask [Execute] and a settable state", """
            namespace App;
            [Workflow(Name = "Y")] public partial interface IFlow { [Execute] ValueTask RunAsync(); [GetState] int State { get; set; } }
            """, "FLOW017", "FLOW009");
        yield return Case("workflow members without a role, an event and an indexer", """
            namespace App;
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [GetState] int State { get; set; } void NoRole(); event EventHandler E; int this[int i] { get; } }
            """, "FLOW009", "FLOW010", "FLOW012", "FLOW012");
        yield return Case("ref, out and generic activities and a property", """
            namespace App;
            [Activities] public partial interface IActs { Task AAsync(ref int x); Task BAsync(out int x); int Prop { get; init; } Task CAsync<T>(T value); }
            """, "FLOW014", "FLOW014", "FLOW012", "FLOW015");
        yield return Case("signals named like the run handle's members", """
            namespace App;
            [Workflow] public partial interface IFlow
            {
                [Execute] Task RunAsync();
                [Signal] Task RequestCancelAsync();
                [Signal] Task Describe();
                [Signal] Task GetResultAsync();
                [Signal] Task TerminateAsync(string reason);
                [Signal] Task GetStateAsync();
            }
            """, "FLOW030", "FLOW030", "FLOW030", "FLOW030", "FLOW030");
        yield return Case("activities named like the client's and dispatch table's members", """
            namespace App;
            [Activities] public partial interface IStore { Task DefinitionsAsync(); Task CreateHandlers(); Task<int> WithOptions(); Task Options(); Task<string> ToStringAsync(); }
            """, "FLOW030", "FLOW030", "FLOW030", "FLOW030", "FLOW030");
        yield return Case("members that differ only by Async", """
            namespace App;
            [Activities] public partial interface IStore { Task ChargeAsync(); [Activity(Name = "Other")] Task Charge(); }
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [Signal] Task NoteAsync(); [Signal(Name = "note2")] Task Note(); [Signal] Task WorkflowId(); }
            """, "FLOW030", "FLOW030", "FLOW030", "FLOW030", "FLOW030");
        yield return Case("two signals given the same name", """
            namespace App;
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [Signal(Name = "go")] Task AAsync(); [Signal(Name = "go")] Task BAsync(); }
            """, "FLOW026", "FLOW026");
        yield return Case("a signal given the name another signal derives", """
            namespace App;
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [Signal] Task GoAsync(); [Signal(Name = "Go")] void Other(); }
            """, "FLOW026", "FLOW026");
        yield return Case("two signals given the same name that SWF rejects", """
            namespace App;
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [Signal(Name = "a:b")] Task AAsync(); [Signal(Name = "a:b")] Task BAsync(); }
            """, "FLOW021", "FLOW021");
        yield return Case("overloaded activities and signals", """
            namespace App;
            [Activities] public partial interface IStore { Task GetAsync(int id); Task GetAsync(string id); Task OtherAsync(); }
            [Workflow] public partial interface IFlow { [Execute] Task RunAsync(); [Signal] Task GoAsync(int x); [Signal] Task GoAsync(string x); }
            """, "FLOW013", "FLOW013", "FLOW013", "FLOW013");
        yield return Case("members named like the classes generated for their contract", """
            namespace App;
            [Activities] public partial interface IFoo { Task FooClient(); Task FooDispatchAsync(); Task OtherAsync(); }
            [Workflow] public partial interface IBar { [Execute] Task RunAsync(); [Signal] Task BarChildClient(); }
            """, "FLOW030", "FLOW030", "FLOW030");
        yield return Case("an [Execute] named like the child client, and a signal named like its field", """
            namespace App;
            [Workflow] public partial interface IBar { [Execute] Task BarChildClient(); [Signal] Task _workflowId(); }
            """, "FLOW030", "FLOW030");
        yield return Case("two contracts that generate the same types", """
            namespace App;
            [Activities] public partial interface IOrders { Task AAsync(); }
            [Workflow] public partial interface Orders { [Execute] Task RunAsync(); }
            """, "FLOW031", "FLOW031");
    }

    private static TestCaseData Case(string name, string source, params string[] diagnostics)
        => new TestCaseData(source, diagnostics) { TestName = name.Replace(' ', '_') };

    [TestCaseSource(nameof(Supported))]
    public async Task A_supported_contract_generates_code_that_compiles_with_every_warning(string source, string[] _)
    {
        var (generatorDiagnostics, analyzerDiagnostics, problems) = await RunAsync(source);

        Assert.That(generatorDiagnostics.Select(d => d.ToString()), Is.Empty);
        Assert.That(analyzerDiagnostics.Select(d => d.ToString()), Is.Empty);
        Assert.That(problems, Is.Empty);
    }

    [TestCaseSource(nameof(Unsupported))]
    public async Task An_unsupported_contract_gets_the_analyzers_errors_and_none_in_generated_code(string source, string[] expected)
    {
        var (generatorDiagnostics, analyzerDiagnostics, problems) = await RunAsync(source);

        Assert.That(generatorDiagnostics.Select(d => d.ToString()), Is.Empty);
        Assert.That(analyzerDiagnostics.Select(d => d.Id), Is.EquivalentTo(expected), string.Join("\n", analyzerDiagnostics));
        Assert.That(problems, Is.Empty);
    }

    [Test]
    public async Task A_value_tuple_payload_is_reported_with_what_to_use_instead()
    {
        var (generatorDiagnostics, _, _) = await RunAsync("""
            namespace App;
            [Activities] public partial interface ITuple { Task<(int Count, string Name)> CountAsync(); }
            """);

        var diagnostic = generatorDiagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("FLOW100"));
        Assert.That(diagnostic.GetMessage(), Does.Contain("value tuple").And.Contain("use a record"));
    }

    [Test]
    public async Task An_unsupported_type_inside_a_payload_is_reported_with_the_properties_that_reach_it()
    {
        var (generatorDiagnostics, _, _) = await RunAsync("""
            namespace App;
            public sealed record Line(string Sku, object Extra);
            public sealed record Order(string Id, List<Line> Lines);
            [Activities] public partial interface IOrders { Task ShipAsync(Order order); }
            """);

        var diagnostic = generatorDiagnostics.Single();
        Assert.That(diagnostic.Id, Is.EqualTo("FLOW100"));
        Assert.That(diagnostic.GetMessage(), Does.Contain("Type 'object' used by 'IOrders.ShipAsync'").And.Contain("reached through Order.Lines → Line.Extra"));
    }

    /// <summary>Generator diagnostics, analyzer diagnostics, and the compiler's warnings and errors of the output
    /// (for the user's own source, missing XML comments are the user's business and left out).</summary>
    private static async Task<(ImmutableArray<Diagnostic> Generator, ImmutableArray<Diagnostic> Analyzers, List<string> Problems)> RunAsync(string source)
    {
        var compilation = CSharpCompilation.Create(
            "UserContracts",
            [CSharpSyntaxTree.ParseText(Usings + source, s_parseOptions, path: "Source0.cs")],
            GeneratorHarness.Compile().References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));
        CSharpGeneratorDriver.Create([new FlowGenerator().AsSourceGenerator()], parseOptions: s_parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var analyzers = await compilation.WithAnalyzers([new ContractShapeAnalyzer(), new SwfTypeAnalyzer()]).GetAnalyzerDiagnosticsAsync();
        var problems = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Where(d => d.Id != "CS1591" || d.Location.SourceTree?.FilePath != "Source0.cs")
            .Select(d => d.ToString())
            .ToList();
        return (generatorDiagnostics, analyzers, problems);
    }
}
