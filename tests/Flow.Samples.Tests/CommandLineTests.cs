using System.Net;
using System.Net.Sockets;
using Flow.Tests;

namespace Flow.Samples.Tests;

/// <summary>The sample program and FileProcessing.Worker as a person runs them: a mistake in the options or the
/// input is one line that says what is wrong, and exit code 2; never a stack trace.</summary>
[Parallelizable(ParallelScope.All)]
public sealed class CommandLineTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(90);

    private static string Sample => Repository.Path_("samples", "FileProcessing", "bin", Repository.Configuration, "net10.0", "FileProcessing.dll");

    private static string Worker => Repository.Path_("samples", "FileProcessing.Worker", "bin", Repository.Configuration, "net10.0", "FileProcessing.Worker.dll");

    private static string Input => Repository.Path_("samples", "FileProcessing", "input", "durable-workflows.txt");

    /// <summary>An environment with no AWS credentials anywhere: no variables, no profile files, no instance metadata.</summary>
    private static readonly Dictionary<string, string?> NoCredentials = new()
    {
        ["AWS_ACCESS_KEY_ID"] = null,
        ["AWS_SECRET_ACCESS_KEY"] = null,
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = null,
        ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = null,
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = null,
        ["AWS_WEB_IDENTITY_TOKEN_FILE"] = null,
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private static Task<(int Exit, string Output)> RunAsync(string program, params string[] args) =>
        RunInAsync(null, null, program, args);

    private static async Task<(int Exit, string Output)> RunInAsync(string? folder, IReadOnlyDictionary<string, string?>? environment,
        string program, params string[] args)
    {
        // From a folder of its own: the sample keeps its state (.flow/) under the current folder.
        using var own = folder is null ? new TempFolder() : null;
        using var process = ChildProcess.Start("dotnet", [program, .. args], folder ?? own!.Path, environment);
        var exit = await process.WaitForExitAsync(ExitTimeout);
        return (exit, process.Output);
    }

    /// <summary>A port nothing listens on: bound, then released.</summary>
    private static int ClosedPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    [TestCase(new string[0], "error: give the input: a file path or an http(s) URL (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--bucket" }, "error: --bucket needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--bucket", "--timeout", "5" }, "error: --bucket needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--timeout", "ten" }, "error: --timeout needs a whole number of seconds from 1 to 86400, not 'ten' (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--timeout", "-5" }, "error: --timeout needs a whole number of seconds from 1 to 86400, not '-5' (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--timeout", "0" }, "error: --timeout needs a whole number of seconds from 1 to 86400, not '0' (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--verbose" }, "error: unknown option --verbose (--help lists the options)")]
    [TestCase(new[] { "INPUT", "other.txt" }, "error: one input only, not also other.txt (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--timeout", "5", "--timeout", "6" }, "error: --timeout is given twice (--help lists the options)")]
    [TestCase(new[] { "ftp://example.com/a.txt" }, "error: ftp://example.com/a.txt is neither a file nor an http(s) URL (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--endpoint", "localhost:8600" }, "error: --endpoint localhost:8600 is not an http(s) URL (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--s3-endpoint", "not a url" }, "error: --s3-endpoint not a url is not an http(s) URL (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--bucket", "s3://My_Bucket/x" }, "error: --bucket: 'My_Bucket' in s3://My_Bucket/x is not a valid S3 bucket name (3 to 63 lower-case letters, digits, dots and hyphens) (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--bucket", "gs://bucket" }, "error: --bucket gs://bucket is neither a folder nor an s3:// location (--help lists the options)")]
    [TestCase(new[] { "" }, "error: the input is empty: give a file path or an http(s) URL (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--bucket", "" }, "error: --bucket needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--region", "" }, "error: --region needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--endpoint", " " }, "error: --endpoint needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--s3-region", "" }, "error: --s3-region needs a value (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--region", "us east 1" }, "error: --region us east 1 is not an AWS region name such as us-east-1 (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--s3-region", "EU/West" }, "error: --s3-region EU/West is not an AWS region name such as us-east-1 (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--request-timeout", "0" }, "error: --request-timeout needs a number of seconds from 0.1 to 300, not '0' (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--request-timeout", "soon" }, "error: --request-timeout needs a number of seconds from 0.1 to 300, not 'soon' (--help lists the options)")]
    [TestCase(new[] { "INPUT", "--no-workers" }, "error: --no-workers needs --endpoint or --region: the embedded service lives inside this process, so no other worker can take its tasks (--help lists the options)")]
    public async Task The_sample_rejects_bad_options_with_one_line_and_exit_code_2(string[] args, string expected)
    {
        var (exit, output) = await RunAsync(Sample, [.. args.Select(a => a == "INPUT" ? Input : a)]);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo(expected));
    }

    [Test]
    public async Task The_sample_rejects_a_missing_file_and_a_folder_before_it_starts_anything()
    {
        using var folder = new TempFolder();
        var missing = folder["nothing-here.txt"];

        var (exit, output) = await RunAsync(Sample, missing);
        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo($"error: no file at {missing} (--help lists the options)"));

        (exit, output) = await RunAsync(Sample, folder.Path);
        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo($"error: {folder.Path} is a folder; give a file (--help lists the options)"));
    }

    [Test]
    public async Task The_sample_refuses_a_bucket_or_a_state_folder_that_is_a_file_before_it_starts_anything()
    {
        using var folder = new TempFolder();
        var file = folder["afile"];
        await File.WriteAllTextAsync(file, "not a folder");

        var (exit, output) = await RunInAsync(folder.Path, null, Sample, Input, "--bucket", "afile");
        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo($"error: --bucket {file} is a file, not a folder (--help lists the options)"));

        // A folder under a file cannot be made either.
        (exit, output) = await RunInAsync(folder.Path, null, Sample, Input, "--bucket", "afile/out");
        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo($"error: --bucket {file}/out is under {file}, which is a file (--help lists the options)"));

        // The sample keeps its state in .flow under the current folder.
        await File.WriteAllTextAsync(folder[".flow"], "not a folder");
        (exit, output) = await RunInAsync(folder.Path, null, Sample, Input);
        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo($"error: {folder[".flow"]} (the sample's state folder) is a file, not a folder (--help lists the options)"));
        Assert.That(Directory.GetFileSystemEntries(folder.Path), Has.Length.EqualTo(2), "nothing was created");
    }

    [Test]
    public async Task The_sample_reports_an_SWF_endpoint_that_never_answers_in_one_line_with_exit_code_2()
    {
        using var silent = new SilentServer();
        var endpoint = silent.Url.ToString();

        var (exit, output) = await RunAsync(Sample, Input, "--endpoint", endpoint, "--request-timeout", "0.2");

        Assert.That(exit, Is.EqualTo(2), output);
        var lines = output.Split('\n');
        Assert.That(lines, Has.Length.EqualTo(2), output);
        Assert.That(lines, Does.Contain($"Flow file-processing sample on SWF endpoint {endpoint}"));
        Assert.That(lines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)),
            Is.EqualTo($"error: cannot use SWF endpoint {endpoint}: SWF did not answer RegisterDomain within 0.2 s (4 attempts)."));
    }

    [Test]
    public async Task The_sample_reports_missing_AWS_credentials_for_real_SWF_in_one_line_with_exit_code_2()
    {
        var (exit, output) = await RunInAsync(null, NoCredentials, Sample, Input, "--region", "us-east-1");

        Assert.That(exit, Is.EqualTo(2), output);
        var lines = output.Split('\n');
        Assert.That(lines, Has.Length.EqualTo(2), output);
        Assert.That(lines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)), Is.EqualTo(
            "error: cannot use Amazon SWF in us-east-1: no AWS credentials found " +
            "(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)"));
    }

    [Test]
    public async Task The_sample_reports_an_embedded_store_held_by_another_sample_in_one_line_with_exit_code_2()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder[".flow"]);
        // What a sample already running in this folder holds: the store's lock.
        using (new FileStream(folder[Path.Combine(".flow", "flow.db.lock")], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            var (exit, output) = await RunInAsync(folder.Path, null, Sample, Input);

            Assert.That(exit, Is.EqualTo(2), output);
            Assert.That(output, Is.EqualTo(
                $"error: cannot open the embedded service's store: {folder[Path.Combine(".flow", "flow.db")]} is in use by another Flow.Local engine."));
        }
    }

    [Test]
    public async Task The_sample_reports_an_unreachable_SWF_endpoint_in_one_line_with_exit_code_2()
    {
        var endpoint = $"http://127.0.0.1:{ClosedPort()}/";

        var (exit, output) = await RunAsync(Sample, Input, "--endpoint", endpoint);

        Assert.That(exit, Is.EqualTo(2), output);
        // stdout and stderr are two pipes: their lines need not arrive in the order written.
        var lines = output.Split('\n');
        Assert.That(lines, Has.Length.EqualTo(2), output);
        Assert.That(lines, Does.Contain($"Flow file-processing sample on SWF endpoint {endpoint}"));
        Assert.That(lines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)),
            Does.StartWith($"error: cannot use SWF endpoint {endpoint}: Connection refused"));
    }

    [Test]
    public async Task An_unreachable_input_URL_is_retried_with_backoff_then_reported_in_one_line_with_exit_code_2()
    {
        var url = $"http://127.0.0.1:{ClosedPort()}/input.txt";

        var (exit, output) = await RunAsync(Sample, url);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Does.Not.Contain("   at "), "no stack trace");
        var lines = output.Split('\n');
        Assert.That(lines.Single(l => l.StartsWith("error: ", StringComparison.Ordinal)), Does.StartWith($"error: cannot download {url}: Connection refused"));
        Assert.That(lines.Count(l => l.Contains("activity FileActivities.Download", StringComparison.Ordinal) && l.Contains(" failed: System.Net.Http.HttpRequestException", StringComparison.Ordinal)),
            Is.EqualTo(4), "four attempts");
        // Attempts of the one call share its id; the waits between them have their own timer counter.
        Assert.That(lines.Where(l => l.Contains("activity FileActivities.Download", StringComparison.Ordinal) && l.EndsWith(" scheduled", StringComparison.Ordinal)),
            Is.EqualTo(new[] { "1", "1#2", "1#3", "1#4" }.Select(id => $"  activity FileActivities.Download (id {id}) scheduled")));
        Assert.That(lines, Does.Contain("  timer r1 started (1 s)").And.Contain("  timer r2 started (2 s)").And.Contain("  timer r3 started (4 s)"));
        // The retries shift no later call's id: the clean-up is the run's second activity.
        Assert.That(lines, Does.Contain("  activity FileActivities.Delete (id 2) completed"), "the working folder is cleaned");
    }

    [Test]
    public async Task The_sample_prints_its_options_on_help_and_exits_0()
    {
        var (exit, output) = await RunAsync(Sample, "--help");

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.StartWith("usage: FileProcessing <input path or http(s) URL> [options]"));
        foreach (var option in new[] { "--bucket", "--endpoint", "--region", "--s3-endpoint", "--s3-region", "--timeout", "--no-workers" })
            Assert.That(output, Does.Contain("\n  " + option + " "), option);
    }

    [TestCase(new string[0], "error: give --endpoint URL or --region REGION (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--endpoint" }, "error: --endpoint needs a value (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--endpoint", "ftp://x" }, "error: --endpoint ftp://x is not an http(s) URL (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--region", "us-east-1", "--pollers", "4" }, "error: unknown option --pollers (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--region", "us-east-1", "extra" }, "error: unexpected argument extra (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--region", "us-east-1", "--s3-endpoint", "s3.local" }, "error: --s3-endpoint s3.local is not an http(s) URL (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--region", "" }, "error: --region needs a value (FileProcessing.Worker --help lists the options)")]
    [TestCase(new[] { "--region", "us_east_1" }, "error: --region us_east_1 is not an AWS region name such as us-east-1 (FileProcessing.Worker --help lists the options)")]
    public async Task The_worker_rejects_bad_options_with_one_line_and_exit_code_2(string[] args, string expected)
    {
        var (exit, output) = await RunAsync(Worker, args);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo(expected));
    }

    [Test]
    public async Task The_worker_reports_an_endpoint_that_refuses_it_in_one_line_with_exit_code_2()
    {
        // An endpoint that answers 403 (as SWF does to credentials it does not know). The worker waits out an
        // unreachable one for half a minute, retrying, before it says the same: the sample's test covers that case.
        using var refusing = new FileServer([], failures: int.MaxValue, failureStatus: "403 Forbidden");
        var endpoint = refusing.Url("").ToString();

        var (exit, output) = await RunAsync(Worker, "--endpoint", endpoint);

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output.Split('\n'), Has.Length.EqualTo(1), output);
        Assert.That(output, Does.StartWith($"error: cannot start the worker on {endpoint}: "));
    }

    [Test]
    public async Task The_worker_reports_missing_AWS_credentials_for_real_SWF_in_one_line_with_exit_code_2()
    {
        var (exit, output) = await RunInAsync(null, NoCredentials, Worker, "--region", "us-east-1");

        Assert.That(exit, Is.EqualTo(2), output);
        Assert.That(output, Is.EqualTo("error: cannot start the worker on us-east-1: no AWS credentials found " +
            "(set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)"));
    }

    [Test]
    public async Task The_worker_prints_its_options_on_help_and_exits_0()
    {
        var (exit, output) = await RunAsync(Worker, "--help");

        Assert.That(exit, Is.EqualTo(0), output);
        Assert.That(output, Does.StartWith("usage: FileProcessing.Worker (--endpoint URL | --region REGION)"));
        foreach (var option in new[] { "--endpoint", "--region", "--s3-endpoint", "--s3-region" })
            Assert.That(output, Does.Contain("\n  " + option + " "), option);
    }
}
