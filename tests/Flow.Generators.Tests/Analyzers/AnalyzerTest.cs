using System.Collections.Immutable;
using System.Text;
using Flow.Generators.Analyzers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Flow.Generators.Tests.Analyzers;

/// <summary>Runs Flow's analyzers over source compiled offline against .NET 10's reference assemblies and
/// Flow.Runtime. Expected diagnostics are marked in the source as <c>{|FLOW001:text|}</c>: the diagnostic's
/// id and the exact text it must underline.</summary>
internal static class AnalyzerTest
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Flow;
        """;

    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers =
        [new ContractShapeAnalyzer(), new SwfTypeAnalyzer(), new WorkflowDeterminismAnalyzer()];

    private static readonly ImmutableArray<MetadataReference> s_references =
    [
        .. Basic.Reference.Assemblies.Net100.References.All,
        MetadataReference.CreateFromFile(typeof(WorkflowAttribute).Assembly.Location),
    ];

    /// <summary>Asserts that the analyzers report exactly the diagnostics marked in <paramref name="sources"/>
    /// (one or more files): the same ids at the same spans, nothing more.</summary>
    public static async Task VerifyAsync(params string[] sources) => await VerifyAsync(false, sources);

    /// <summary>As <see cref="VerifyAsync(string[])"/>, for sources the C# compiler itself rejects.</summary>
    public static async Task VerifyWithCompilerErrorsAsync(params string[] sources) => await VerifyAsync(true, sources);

    /// <summary>The Flow diagnostics of <paramref name="source"/>, for tests that read the message.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source)
    {
        var compilation = Compile([source], allowCompilerErrors: false);
        return await RunAsync(compilation);
    }

    private static async Task VerifyAsync(bool allowCompilerErrors, string[] sources)
    {
        var expected = new List<string>();
        var plain = new List<string>();
        for (var i = 0; i < sources.Length; i++)
        {
            var (text, marks) = ParseMarkup(sources[i]);
            plain.Add(text);
            expected.AddRange(marks.Select(m => Describe(m.Id, Path(i), text, m.Span)));
        }

        var compilation = Compile(plain, allowCompilerErrors);
        var diagnostics = await RunAsync(compilation);
        var actual = diagnostics
            .Select(d => Describe(d.Id, d.Location.SourceTree?.FilePath ?? "", d.Location.SourceTree?.ToString() ?? "", d.Location.SourceSpan))
            .ToList();

        var messages = string.Join(Environment.NewLine, diagnostics.Select(d => $"  {d}"));
        Assert.That(actual, Is.EquivalentTo(expected), $"Reported:{Environment.NewLine}{messages}");
    }

    private static CSharpCompilation Compile(IReadOnlyList<string> sources, bool allowCompilerErrors)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources
            .Select((s, i) => CSharpSyntaxTree.ParseText(s, options, Path(i), Encoding.UTF8))
            .Append(CSharpSyntaxTree.ParseText(GlobalUsings, options, "GlobalUsings.cs", Encoding.UTF8));
        var compilation = CSharpCompilation.Create("Contracts", trees, s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        if (!allowCompilerErrors)
        {
            var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            Assert.That(errors, Is.Empty, "The test source must compile: " + string.Join(Environment.NewLine, errors));
        }
        return compilation;
    }

    private static async Task<ImmutableArray<Diagnostic>> RunAsync(Compilation compilation)
    {
        var withAnalyzers = compilation.WithAnalyzers(s_analyzers,
            new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), onAnalyzerException: null,
                concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();

        // An analyzer that throws is reported as AD0001; that must fail the test, not pass it quietly.
        var crashes = diagnostics.Where(d => !d.Id.StartsWith("FLOW", StringComparison.Ordinal)).ToList();
        Assert.That(crashes, Is.Empty, "Analyzer failures: " + string.Join(Environment.NewLine, crashes));
        return diagnostics.Where(d => d.Id.StartsWith("FLOW", StringComparison.Ordinal))
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }

    private static string Path(int index) => $"Source{index}.cs";

    private static string Describe(string id, string path, string text, TextSpan span)
    {
        var position = SourceText.From(text).Lines.GetLinePosition(span.Start);
        return $"{id} {path}({position.Line + 1},{position.Character + 1}) '{text.Substring(span.Start, span.Length)}'";
    }

    /// <summary>Removes <c>{|ID:text|}</c> marks, returning the plain source and each mark's id and span in it.</summary>
    private static (string Text, List<(string Id, TextSpan Span)> Marks) ParseMarkup(string markup)
    {
        var text = new StringBuilder();
        var marks = new List<(string, TextSpan)>();
        var position = 0;
        while (true)
        {
            var open = markup.IndexOf("{|", position, StringComparison.Ordinal);
            if (open < 0)
                break;
            var colon = markup.IndexOf(':', open);
            var close = markup.IndexOf("|}", colon, StringComparison.Ordinal);
            if (colon < 0 || close < 0)
                throw new FormatException($"Unclosed mark at {open}.");
            text.Append(markup, position, open - position);
            var id = markup.Substring(open + 2, colon - open - 2);
            var marked = markup.Substring(colon + 1, close - colon - 1);
            marks.Add((id, new TextSpan(text.Length, marked.Length)));
            text.Append(marked);
            position = close + 2;
        }
        text.Append(markup, position, markup.Length - position);
        return (text.ToString(), marks);
    }
}
