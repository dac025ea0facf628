using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Flow.Tests;

namespace Flow.Cli.Tests;

/// <summary>The <c>flow</c> commands when something outside them is wrong: an endpoint that never answers or
/// cannot be reached, no credentials, an address that cannot be bound, a malformed option. Each is one line on
/// stderr and exit code 2, never a stack trace.</summary>
[TestFixture]
[Parallelizable(ParallelScope.Children)]
public sealed class RemoteFailureTests
{
    /// <summary>No AWS credentials anywhere: no variables, no profile files, no instance metadata.</summary>
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

    private static async Task<(int Exit, string Stdout, string Stderr)> FlowAsync(IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(DevServer.ToolPath);
        foreach (string a in args)
            info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"flow {string.Join(' ', args)} did not exit within 60 s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static void OneLine(int exit, string stdout, string stderr, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(exit, Is.EqualTo(2), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Is.EqualTo(expected + "\n"));
        });
    }

    [TestCase("list", "ListOpenWorkflowExecutions")]
    [TestCase("history", "ListOpenWorkflowExecutions")]
    public async Task A_read_from_an_endpoint_that_never_answers_is_retried_then_reported_in_one_line(string command, string operation)
    {
        using var silent = new SilentServer();
        string[] extra = command == "history" ? ["--workflow-id", "w"] : [];

        var (exit, stdout, stderr) = await FlowAsync(null, [command, "--endpoint", silent.Url.ToString(), "--domain", "d", "--request-timeout", "0.2", .. extra]);

        OneLine(exit, stdout, stderr, $"flow: SWF did not answer {operation} within 0.2 s (4 attempts).");
    }

    [Test]
    public async Task A_start_whose_answer_never_comes_is_sent_once_and_says_the_run_may_have_started()
    {
        using var silent = new SilentServer();

        var (exit, stdout, stderr) = await FlowAsync(null, "start", "--endpoint", silent.Url.ToString(), "--domain", "d",
            "--workflow-type", "T", "--workflow-version", "1", "--workflow-id", "once", "--request-timeout", "3");

        // 3 s, not less: on a loaded machine a shorter timeout can end before the request is even written, and this
        // test is about a request the server did receive.
        OneLine(exit, stdout, stderr,
            "flow: SWF did not answer StartWorkflowExecution within 3 s. It was sent once and not repeated, so workflow " +
            "once may have started: flow list --domain d shows it.");
        // The server counts what it reads on its own threads: wait until it has read the request.
        await silent.FirstRequest.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(silent.Requests, Is.EqualTo(1), "StartWorkflowExecution is not idempotent: it is never sent twice");
    }

    [Test]
    public async Task An_explicit_endpoint_needs_no_AWS_credentials()
    {
        // Placeholders sign the request, so the failure is the name that does not resolve, not the credentials.
        var (exit, stdout, stderr) = await FlowAsync(NoCredentials, "list", "--endpoint", "http://nonexistent.invalid", "--domain", "d",
            "--request-timeout", "1");

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.StartWith("flow: cannot reach http://nonexistent.invalid/: "));
    }

    [Test]
    public async Task Real_SWF_without_AWS_credentials_is_one_line()
    {
        var (exit, stdout, stderr) = await FlowAsync(NoCredentials, "list", "--region", "us-east-1", "--domain", "d");

        OneLine(exit, stdout, stderr,
            "flow: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with AWS_PROFILE)");
    }

    [Test]
    public async Task A_start_to_a_port_nothing_listens_on_is_one_line()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (exit, stdout, stderr) = await FlowAsync(null, "start", "--endpoint", $"http://127.0.0.1:{port}", "--domain", "d",
            "--workflow-type", "T", "--workflow-version", "1", "--workflow-id", "w");

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Is.EqualTo($"flow: cannot reach http://127.0.0.1:{port}/: Connection refused (127.0.0.1:{port})\n"));
    }

    [Test]
    public async Task Flow_dev_on_an_address_this_machine_does_not_have_is_one_line_and_exit_code_2()
    {
        var (exit, stdout, stderr) = await FlowAsync(null, "dev", "--port", "0", "--memory", "--bind", "8.8.8.8");

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Not.Contain("Unhandled exception"));
        Assert.That(stderr.TrimEnd('\n').Split('\n')[^1], Is.EqualTo("flow dev: cannot listen on 8.8.8.8:0: Cannot assign requested address"));
    }

    [TestCase("list --domain d --json=false", "flow: --json takes no value")]
    [TestCase("dev --memory=yes --port 0", "flow: --memory takes no value")]
    [TestCase("list --domain --json", "flow: --domain needs a value")]
    [TestCase("list --domain d --region", "flow: --region needs a value")]
    [TestCase("list --domain d --region=", "flow: --region needs a value")]
    [TestCase("list --domain d --region us_east_1", "flow: --region 'us_east_1' is not an AWS region name such as us-east-1")]
    [TestCase("list --domain d --request-timeout 0", "flow: --request-timeout must be a number of seconds from 0.1 to 300, not '0'")]
    [TestCase("list --domain d --endpoint=", "flow: --endpoint needs a value")]
    public async Task A_malformed_option_is_a_usage_error(string args, string expected)
    {
        var (exit, stdout, stderr) = await FlowAsync(null, args.Split(' '));

        Assert.That(exit, Is.EqualTo(2), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Split('\n')[0], Is.EqualTo(expected));
    }
}
