using System.IO.Compression;
using System.Security.Cryptography;

namespace Flow.Samples.Tests;

/// <summary>The sample program as a process: against `flow dev` (with its own workers, and with FileProcessing.Worker
/// doing the work), and stopped with Ctrl-C.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class SampleProgramTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    private static string Sample => Repository.Path_("samples", "FileProcessing", "bin", Repository.Configuration, "net10.0", "FileProcessing.dll");

    private static string Worker => Repository.Path_("samples", "FileProcessing.Worker", "bin", Repository.Configuration, "net10.0", "FileProcessing.Worker.dll");

    private static string FlowCli => Repository.Path_("src", "Flow.Cli", "bin", Repository.Configuration, "net10.0", "Flow.Cli.dll");

    private static string Input => Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");

    private static byte[] Gunzip(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }

    [Test]
    public async Task With_endpoint_the_sample_runs_on_flow_dev_with_its_own_workers_and_with_no_workers_while_the_worker_program_works()
    {
        using var folder = new TempFolder();
        var input = await File.ReadAllBytesAsync(Input);
        var sha = Convert.ToHexStringLower(SHA256.HashData(input));
        using var dev = ChildProcess.Start("dotnet", [FlowCli, "dev", "--port", "0", "--memory"]);
        var url = (await dev.WaitForLineAsync(l => l.StartsWith("http://", StringComparison.Ordinal), StartTimeout, "flow dev to print its URL")).Trim();

        using (var sample = ChildProcess.Start("dotnet", [Sample, Input, "--endpoint", url, "--bucket", "own"], folder.Path))
        {
            Assert.That(await sample.WaitForExitAsync(ExitTimeout), Is.EqualTo(0), sample.Output);
            Assert.That(sample.Output, Does.StartWith($"Flow file-processing sample on SWF endpoint {url}"));
            Assert.That(sample.Output, Does.Contain($"  sha256      {sha}"));
        }
        Assert.That(Gunzip(Path.Combine(folder.Path, "own", "durable-workflows.txt.gz")), Is.EqualTo(input));

        using var worker = ChildProcess.Start("dotnet", [Worker, "--endpoint", url]);
        await worker.WaitForLineAsync(l => l.Contains(" polling ", StringComparison.Ordinal), StartTimeout, "the worker to start both pollers");
        using (var sample = ChildProcess.Start("dotnet", [Sample, Input, "--endpoint", url, "--bucket", "remote", "--no-workers"], folder.Path))
        {
            Assert.That(await sample.WaitForExitAsync(ExitTimeout), Is.EqualTo(0), sample.Output);
            Assert.That(sample.Output, Does.Contain($"  sha256      {sha}"));
        }
        Assert.That(Gunzip(Path.Combine(folder.Path, "remote", "durable-workflows.txt.gz")), Is.EqualTo(input));
        worker.Signal("TERM");
        Assert.That(await worker.WaitForExitAsync(ExitTimeout), Is.EqualTo(0), worker.Output);
    }

    [Test]
    public async Task Ctrl_C_sends_the_run_the_cancel_signal_the_run_cleans_up_and_the_sample_exits_with_its_reason()
    {
        using var folder = new TempFolder();
        using var server = new FileServer(await File.ReadAllBytesAsync(Input), hold: true);
        using var sample = ChildProcess.Start("dotnet", [Sample, server.Url("durable-workflows.txt").ToString()], folder.Path);
        await server.HalfSent.Task.WaitAsync(StartTimeout);
        // The download has begun writing into the run's working folder.
        Assert.That(Directory.GetFiles(Path.Combine(folder.Path, ".flow", "work"), "*", SearchOption.AllDirectories), Is.Not.Empty);

        sample.Signal("INT");
        var exit = await sample.WaitForExitAsync(ExitTimeout);

        Assert.That(exit, Is.EqualTo(1), sample.Output);
        var lines = sample.Output.Split('\n');
        Assert.That(lines, Does.Contain("  Ctrl-C: sending the Cancel signal"));
        Assert.That(lines, Does.Contain("  signal Cancel"));
        Assert.That(lines, Does.Contain("The workflow closed as Failed: FileProcessing.JobCanceledException: File processing canceled: Ctrl-C."));
        Assert.That(sample.Output, Does.Not.Contain("   at "), "no stack trace");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(folder.Path, ".flow", "work")), Is.Empty, "the working folder is deleted");
    }
}
