using System.Diagnostics;
using System.Text;
using Basic.Reference.Assemblies;
using Flow.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

// Generator cost on a synthetic project: 200 contracts × 10 methods (half activity contracts, half workflows with
// an [Execute], eight signals and a [GetState]), each contract in its own file with its own record types.
// Measures a full generation (fresh driver) and a no-op edit (an unrelated file changes; every step must be cached),
// plus an edit of one contract. Usage: dotnet run -c Release [-- iterations]

var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 15;
const int Contracts = 200;
const int Methods = 10;

var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
var trees = Enumerable.Range(0, Contracts).Select(i => CSharpSyntaxTree.ParseText(Contract(i), parseOptions, path: $"Contract{i}.cs")).ToList();
var unrelated = CSharpSyntaxTree.ParseText("namespace Other; public class Unrelated { public int A; }", parseOptions, path: "Unrelated.cs");
var compilation = CSharpCompilation.Create(
    "Synthetic",
    [.. trees, unrelated],
    [.. Net100.References.All, MetadataReference.CreateFromFile(typeof(Flow.Workflow).Assembly.Location)],
    new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

GeneratorDriver NewDriver() => CSharpGeneratorDriver.Create([new FlowGenerator().AsSourceGenerator()], parseOptions: parseOptions);

// Sanity: everything generated compiles.
var check = NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
var generated = check.GetRunResult().GeneratedTrees;
Console.WriteLine($"{Contracts} contracts × {Methods} methods: {generated.Length} files, {generated.Sum(t => t.Length) / 1024} KiB generated, " +
    $"{generatorDiagnostics.Length} generator diagnostics, {errors.Count} compile errors");
if (errors.Count > 0)
{
    Console.WriteLine(string.Join(Environment.NewLine, errors.Take(5)));
    return 1;
}

// A fresh compilation each time, so the run pays for binding the contracts' symbols as a real build does.
var full = Measure(() => NewDriver().RunGenerators(compilation.Clone()));

var warm = NewDriver().RunGenerators(compilation);
var version = 0;
var noOp = Measure(() =>
{
    var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(SourceText.From($"namespace Other; public class Unrelated {{ public int A{++version}; }}")));
    warm = warm.RunGenerators(edited);
    compilation = edited;
    unrelated = edited.SyntaxTrees.Last();
});

var contractEdit = Measure(() =>
{
    var tree = compilation.SyntaxTrees.First();
    var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(Contract(0, extraParameter: ++version % 2 == 0))));
    warm = warm.RunGenerators(edited);
    compilation = edited;
});

var timing = warm.GetTimingInfo();
Console.WriteLine($"last run, as the driver times it: {timing.ElapsedTime.TotalMilliseconds:F1} ms in the generator");
var tracked = CSharpGeneratorDriver.Create([new FlowGenerator().AsSourceGenerator()], parseOptions: parseOptions,
    driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true)).RunGenerators(compilation);
var touched = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(SourceText.From("namespace Other; public class Unrelated { }")));
var steps = tracked.RunGenerators(touched).GetRunResult().Results[0].TrackedSteps;
foreach (var (name, runs) in steps)
{
    var reasons = runs.SelectMany(r => r.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Key}×{g.Count()}");
    Console.WriteLine($"  {name}: {string.Join(", ", reasons)}  {runs.Sum(r => r.ElapsedTime.TotalMilliseconds):F1} ms");
}

Console.WriteLine("CPU time per run:");
Console.WriteLine($"full generation   median {full.Median,8:F1} ms   min {full.Min,8:F1} ms");
Console.WriteLine($"no-op edit        median {noOp.Median,8:F1} ms   min {noOp.Min,8:F1} ms");
Console.WriteLine($"one contract edit median {contractEdit.Median,8:F1} ms   min {contractEdit.Min,8:F1} ms");
return 0;

// CPU time of this process, not wall time: the machine is shared, and the driver runs the generator on one thread.
(double Median, double Min) Measure(Action action)
{
    action();
    action();
    var times = new List<double>();
    var process = Process.GetCurrentProcess();
    for (var i = 0; i < iterations; i++)
    {
        process.Refresh();
        var before = process.TotalProcessorTime;
        action();
        process.Refresh();
        times.Add((process.TotalProcessorTime - before).TotalMilliseconds);
    }

    times.Sort();
    return (times[times.Count / 2], times[0]);
}

static string Contract(int i, bool extraParameter = false)
{
    var text = new StringBuilder();
    text.AppendLine("using System; using System.Collections.Generic; using System.Threading.Tasks; using Flow;");
    text.AppendLine($"namespace Synthetic.N{i};");
    text.AppendLine($"public enum State{i} {{ Created, Running, Done }}");
    text.AppendLine($"public sealed record Input{i}(string Name, int Count, DateTimeOffset At, List<string> Tags, State{i} State)");
    text.AppendLine("{ public decimal? Amount { get; init; } public Dictionary<string, long> Counters { get; init; } = new(); }");
    text.AppendLine($"public sealed record Output{i}(Guid Id, byte[] Data, IReadOnlyList<Input{i}> Items);");
    if (i % 2 == 0)
    {
        text.AppendLine($"[Activities(TaskList = \"list{i}\", StartToClose = \"00:05:00\")]");
        text.AppendLine($"public partial interface IActivities{i}");
        text.AppendLine("{");
        for (var m = 0; m < Methods; m++)
        {
            text.AppendLine(m % 3 == 0
                ? $"    Task Step{m}Async(Input{i} input, string key{(extraParameter && m == 0 ? ", int extra" : "")});"
                : $"    Task<Output{i}> Step{m}Async(Input{i} input, int attempt, State{i}? state);");
        }
    }
    else
    {
        text.AppendLine($"[Workflow(TaskList = \"decisions{i}\", ExecutionStartToClose = \"01:00:00\")]");
        text.AppendLine($"public partial interface IWorkflow{i}");
        text.AppendLine("{");
        text.AppendLine($"    [Execute] Task<Output{i}> RunAsync(Input{i} input{(extraParameter ? ", int extra" : "")});");
        for (var m = 1; m < Methods - 1; m++)
        {
            text.AppendLine($"    [Signal] Task Signal{m}Async(string reason, Input{i} input);");
        }

        text.AppendLine($"    [GetState] State{i} Status {{ get; }}");
    }

    text.AppendLine("}");
    return text.ToString();
}
