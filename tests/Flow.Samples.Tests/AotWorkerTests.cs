using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FileProcessing;
using Flow.Runtime.Tests.Swf.Support;
using Flow.Swf;

namespace Flow.Samples.Tests;

/// <summary>FileProcessing.Worker published with Native AOT does the sample's work for `flow dev`.</summary>
[Category("Aot")]
// Beside the other fixtures: the publish is most of this project's time, and nothing here is timed.
[Parallelizable(ParallelScope.Self)]
public sealed class AotWorkerTests
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(20);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Test]
    public async Task The_worker_published_with_native_aot_completes_runs_started_through_flow_dev_to_a_folder_and_to_S3_and_stops_on_SIGTERM()
    {
        using var folder = new TempFolder();
        var worker = await PublishAsync(folder);
        var flowDev = Repository.Path_("src", "Flow.Cli", "bin", Repository.Configuration, "net10.0", "Flow.Cli.dll");
        Assert.That(File.Exists(flowDev), $"flow dev is built at {flowDev}");

        using var moto = await MotoServer.StartAsync(StartTimeout);
        using var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = moto.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = "aot-output" });

        using var dev = ChildProcess.Start("dotnet", [flowDev, "dev", "--port", "0", "--memory"]);
        try
        {
            var url = await dev.WaitForLineAsync(l => l.StartsWith("http://", StringComparison.Ordinal), StartTimeout, "flow dev to print its URL");
            using var aot = ChildProcess.Start(worker, ["--endpoint", url.Trim(), "--s3-endpoint", moto.Url.ToString()]);
            try
            {
                await aot.WaitForLineAsync(l => l.StartsWith("first poll", StringComparison.Ordinal), StartTimeout, "the worker's first poll");
                await aot.WaitForLineAsync(l => l.Contains(" polling ", StringComparison.Ordinal), StartTimeout, "the worker to start both pollers");

                using var swf = new SwfClient(new SwfClientOptions
                {
                    ServiceUrl = new Uri(url.Trim()),
                    Region = "us-east-1",
                    Credentials = new BasicAWSCredentials("flow", "flow"),
                });
                var client = new FileProcessingClient(new WorkflowClient(swf, FileProcessingWorkers.Domain));
                var input = Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");
                var bytes = await File.ReadAllBytesAsync(input);
                var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));

                // To a folder.
                var run = await client.StartAsync("aot", new Job(input, folder["bucket"], folder[Path.Combine("work", "aot")]));
                var report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);
                Assert.That(report.Sha256, Is.EqualTo(sha));
                Assert.That(Gunzip(await File.ReadAllBytesAsync(report.CompressedLocation)), Is.EqualTo(bytes));
                Assert.That(Directory.Exists(folder[Path.Combine("work", "aot")]), Is.False);

                // To S3: AWSSDK.S3 compiled ahead of time signs, sends and reads its answers.
                run = await client.StartAsync("aot-s3", new Job(input, "s3://aot-output/native", folder[Path.Combine("work", "aot-s3")]));
                report = await run.GetResultAsync(new CancellationTokenSource(RunTimeout).Token);
                Assert.That(report.CompressedLocation, Is.EqualTo("s3://aot-output/native/durable-workflows.txt.gz"));
                using (var stored = await s3.GetObjectAsync("aot-output", "native/durable-workflows.txt.gz"))
                using (var copy = new MemoryStream())
                {
                    await stored.ResponseStream.CopyToAsync(copy);
                    Assert.That(Gunzip(copy.ToArray()), Is.EqualTo(bytes));
                }
                using (var stored = await s3.GetObjectAsync("aot-output", "native/durable-workflows.txt.report.json"))
                using (var json = await JsonDocument.ParseAsync(stored.ResponseStream))
                    Assert.That(json.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(sha));

                aot.Signal("TERM");
                var exit = await aot.WaitForExitAsync(TimeSpan.FromSeconds(40));
                Assert.That(exit, Is.EqualTo(0), $"the worker exits cleanly on SIGTERM; its output:\n{aot.Output}");
            }
            finally
            {
                aot.Kill();
            }
        }
        finally
        {
            dev.Kill();
        }
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var gzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// dotnet publish -c Release -r linux-x64 -p:PublishAot=true, failing on any warning. This is the proof that an
    /// application using the wire client publishes with Native AOT and no trim or AOT warning: all of Flow.Runtime is
    /// rooted, so every SWF operation is compiled and analysed, not only the calls the worker makes (ILC's CPU time
    /// 85-92 s against 80-85 s without, in two runs each; an 8 % larger binary). The build goes to an artifacts folder of its own: compilers report
    /// warnings only when they run, which an incremental publish skips, and the repository's bin and obj belong to
    /// tests running beside this one.
    /// </summary>
    private static async Task<string> PublishAsync(TempFolder folder)
    {
        var project = Repository.Path_("samples", "FileProcessing.Worker");
        var rootRuntime = folder["root-flow-runtime.targets"];
        await File.WriteAllTextAsync(rootRuntime, """<Project><ItemGroup><TrimmerRootAssembly Include="Flow.Runtime" /></ItemGroup></Project>""");
        var output = folder["aot"];
        using var publish = ChildProcess.Start("dotnet",
            ["publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "--artifacts-path", folder["artifacts"],
                $"-p:CustomAfterMicrosoftCommonTargets={rootRuntime}", "-o", output, "-nologo", "-clp:NoSummary"]);
        try
        {
            var exit = await publish.WaitForExitAsync(PublishTimeout);
            Assert.That(exit, Is.EqualTo(0), $"dotnet publish failed:\n{publish.Output}");
            var warnings = publish.Output.Split('\n').Where(l => l.Contains("warning", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.That(warnings, Is.Empty, "publishing with Native AOT gives no warnings");
            var ilcArguments = Directory.GetFiles(folder["artifacts"], "FileProcessing.Worker.ilc.rsp", SearchOption.AllDirectories).Single();
            Assert.That(File.ReadAllLines(ilcArguments), Does.Contain("--root:Flow.Runtime"), "ILC compiled all of Flow.Runtime");
        }
        finally
        {
            publish.Kill();
        }
        var binary = Path.Combine(output, "FileProcessing.Worker");
        Assert.That(File.Exists(binary), $"the native worker is at {binary}");
        return binary;
    }
}

/// <summary>A process whose output is collected line by line; killed (with its children) when disposed.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    /// <param name="environment">Variables to set; a null value removes the variable.</param>
    public static ChildProcess Start(string file, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
            info.WorkingDirectory = workingDirectory;
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.Exited += (_, _) => child.Add(null);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public int Id => _process.Id;

    public string Output
    {
        get
        {
            lock (_gate)
                return string.Join('\n', _lines);
        }
    }

    private void Add(string? line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (line is not null)
                _lines.Add(line);
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_lines.FirstOrDefault(match) is { } line)
                    return line;
                changed = _changed.Task;
            }
            if (_process.HasExited)
                Assert.Fail($"The process exited ({_process.ExitCode}) before {what}. Its output:\n{Output}");
            var left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !await changed.WaitAsync(left).ContinueWith(t => t.IsCompletedSuccessfully))
                Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}. Output so far:\n{Output}");
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The process did not exit within {timeout.TotalSeconds} s. Its output:\n{Output}");
        }
        return _process.ExitCode;
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
