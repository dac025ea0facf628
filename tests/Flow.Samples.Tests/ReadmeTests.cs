using System.Text.RegularExpressions;

namespace Flow.Samples.Tests;

/// <summary>The README's first command, as a process, prints what the README shows.</summary>
[Parallelizable(ParallelScope.All)]
public sealed partial class ReadmeTests
{
    [Test]
    public async Task The_sample_prints_the_output_the_README_shows_but_for_ids_times_and_paths()
    {
        var readme = File.ReadAllText(Repository.Path_("README.md")).ReplaceLineEndings("\n");
        const string Command = "dotnet run --project samples/FileProcessing -- samples/FileProcessing/input/durable-workflows.txt";
        Assert.That(readme, Does.Contain("```bash\n" + Command + "\n"), "the quick start's first command");
        var start = readme.IndexOf("```text\n", StringComparison.Ordinal) + "```text\n".Length;
        var shown = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        // The command, from a folder of its own: the sample keeps its state (.flow/) under the current folder.
        using var folder = new TempFolder();
        var program = Repository.Path_("samples", "FileProcessing", "bin", Repository.Configuration, "net10.0", "FileProcessing.dll");
        var input = Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");
        using var sample = ChildProcess.Start("dotnet", [program, input], folder.Path);
        var exit = await sample.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.That(exit, Is.EqualTo(0), sample.Output);
        Assert.That(Normalize(sample.Output), Is.EqualTo(Normalize(shown)));
        Assert.That(File.Exists(Path.Combine(folder.Path, ".flow", "flow.db")), "the embedded service's SQLite file is under .flow/");
    }

    [Test]
    public async Task The_order_approval_sample_prints_the_output_its_README_shows_but_for_ids_and_times()
    {
        var readme = File.ReadAllText(Repository.Path_("samples", "OrderApproval", "README.md")).ReplaceLineEndings("\n");
        Assert.That(readme, Does.Contain("```bash\ndotnet run --project samples/OrderApproval\n```"), "the run instruction");
        var start = readme.IndexOf("```text\n", StringComparison.Ordinal) + "```text\n".Length;
        var shown = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        var program = Repository.Path_("samples", "OrderApproval", "bin", Repository.Configuration, "net10.0", "OrderApproval.dll");
        using var sample = ChildProcess.Start("dotnet", [program]);
        var exit = await sample.WaitForExitAsync(TimeSpan.FromSeconds(120));

        Assert.That(exit, Is.EqualTo(0), sample.Output);
        Assert.That(NormalizeOrders(sample.Output), Is.EqualTo(NormalizeOrders(shown)));
    }

    /// <summary>Blanks times, event ids (an event that arrives during a decision task moves the ids after it) and
    /// the warehouse's numbers (the two orders reserve in either order).</summary>
    private static string NormalizeOrders(string output)
    {
        var text = output.ReplaceLineEndings("\n").TrimEnd();
        text = EventLine().Replace(text, "    <id>  +<t>s  ");
        return WarehouseNumber().Replace(text, "$1-<n>");
    }

    [GeneratedRegex(@"^ +\d+  \+ *\d+\.\d{3}s  ", RegexOptions.Multiline)]
    private static partial Regex EventLine();

    [GeneratedRegex(@"\b(R|TRK)-\d{4}\b")]
    private static partial Regex WarehouseNumber();

    /// <summary>Blanks what differs between runs: workflow and run ids, relative times, the folders above .flow/
    /// and samples/, and the progress lines before the last (the sample shows the stage it finds each time it
    /// looks, so how many it catches depends on the machine's speed).</summary>
    private static string Normalize(string output)
    {
        var text = string.Join('\n', output.ReplaceLineEndings("\n").TrimEnd().Split('\n')
            .Where(l => !l.StartsWith("  stage ", StringComparison.Ordinal) || l.StartsWith("  stage Done ", StringComparison.Ordinal)));
        text = WorkflowId().Replace(text, "file-processing-<id>");
        text = RunId().Replace(text, "(run <run>)");
        text = Elapsed().Replace(text, "+<t>s");
        return Folder().Replace(text, "<root>$1");
    }

    [GeneratedRegex(@"file-processing-\d{8}-\d{6}-[0-9a-f]{6}")]
    private static partial Regex WorkflowId();

    [GeneratedRegex(@"\(run [^)]+\)")]
    private static partial Regex RunId();

    [GeneratedRegex(@"\+\s*\d+\.\d{3}s")]
    private static partial Regex Elapsed();

    [GeneratedRegex(@"/\S*?(/\.flow/|/samples/)")]
    private static partial Regex Folder();
}
