using System.Diagnostics;
using System.Text;
using Basic.Reference.Assemblies;
using Flow.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

// Generator cost on a synthetic project: 200 contracts × 10 methods (half activity contracts, half workflows with
// an [Execute], eight signals and a [GetState]), each contract in its own file with its own record types.
// Measures a full generation (fresh driver); edits of an unrelated file that change a declaration (a field's name) or only
// a method body, after which every step must be cached; and an edit of one contract. Each as the process's CPU time
// and as wall-clock time (the machine may be shared: CPU time is the steadier figure). Usage: dotnet run -c Release [-- iterations]

var iterations = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 15;
const int Contracts = 200;
const int Methods = 10;

var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
var trees = Enumerable.Range(0, Contracts).Select(i => CSharpSyntaxTree.ParseText(Contract(i), parseOptions, path: $"Contract{i}.cs")).ToList();
var unrelated = CSharpSyntaxTree.ParseText(Unrelated("A", 0), parseOptions, path: "Unrelated.cs");
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
    var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(SourceText.From(Unrelated($"A{++version}", 0))));
    warm = warm.RunGenerators(edited);
    compilation = edited;
    unrelated = edited.SyntaxTrees.Last();
});

// The same file, with only the value a method body returns changed: no declaration changes at all.
var field = $"A{version}";
var bodyEdit = Measure(() =>
{
    var edited = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(SourceText.From(Unrelated(field, ++version))));
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
var touched = compilation.ReplaceSyntaxTree(unrelated, unrelated.WithChangedText(SourceText.From(Unrelated("B", -1))));
var steps = tracked.RunGenerators(touched).GetRunResult().Results[0].TrackedSteps;
foreach (var (name, runs) in steps)
{
    var reasons = runs.SelectMany(r => r.Outputs).GroupBy(o => o.Reason).Select(g => $"{g.Key}×{g.Count()}");
    Console.WriteLine($"  {name}: {string.Join(", ", reasons)}  {runs.Sum(r => r.ElapsedTime.TotalMilliseconds):F1} ms");
}

Console.WriteLine();
Console.WriteLine($"{$"ms per run, {iterations} runs",-28}{"CPU median",11}{"CPU min",9}{"wall median",13}{"wall min",10}");
Row("full generation", full);
Row("no-op edit (a declaration)", noOp);
Row("method-body edit", bodyEdit);
Row("one contract edit", contractEdit);
return 0;

void Row(string name, Timing t)
    => Console.WriteLine($"{name,-28}{t.CpuMedian,11:F1}{t.CpuMin,9:F1}{t.WallMedian,13:F1}{t.WallMin,10:F1}");

// The process's CPU time and the wall-clock time of each run. CPU time is the steadier figure on a shared machine (the
// driver runs the generator on one thread, so CPU time above wall time is other threads: the GC, the tiered JIT).
Timing Measure(Action action)
{
    action();
    action();
    var cpu = new List<double>();
    var wall = new List<double>();
    var process = Process.GetCurrentProcess();
    for (var i = 0; i < iterations; i++)
    {
        process.Refresh();
        var before = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        action();
        wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        process.Refresh();
        cpu.Add((process.TotalProcessorTime - before).TotalMilliseconds);
    }

    cpu.Sort();
    wall.Sort();
    return new Timing(cpu[cpu.Count / 2], cpu[0], wall[wall.Count / 2], wall[0]);
}

static string Unrelated(string field, int result)
    => $"namespace Other; public class Unrelated {{ public int {field}; public int Count() {{ return {result}; }} }}";

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

internal readonly record struct Timing(double CpuMedian, double CpuMin, double WallMedian, double WallMin);
