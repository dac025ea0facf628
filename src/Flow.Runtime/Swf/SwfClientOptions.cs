using Amazon.Runtime;

namespace Flow.Swf;

/// <summary>How a <see cref="SwfClient"/> reaches SWF: where, as whom, and how patiently.</summary>
public sealed record SwfClientOptions
{
    /// <summary>
    /// The AWS region, e.g. <c>us-east-1</c>. When null, AWSSDK.Core's region chain decides
    /// (AWS_REGION, the shared config profile, then instance metadata); with an explicit
    /// <see cref="ServiceUrl"/> and no region found, requests are signed for <c>us-east-1</c>.
    /// </summary>
    public string? Region { get; init; }

    /// <summary>The endpoint to call; defaults to <c>https://swf.{region}.amazonaws.com</c>.
    /// Set it for moto_server, <c>flow dev</c> or any other SWF-compatible service.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Credentials to sign with; when null, AWSSDK.Core's default chain (environment, shared profiles with
    /// keys or credential_process, container and instance metadata) is asked on first use. Some profiles need a
    /// service client that AWSSDK.Core loads at run time and Flow does not reference: SSO profiles need the AWSSDK.SSO
    /// and AWSSDK.SSOOIDC packages, assume-role and web-identity profiles AWSSDK.SecurityToken; an application that
    /// uses them references those packages (and, under Native AOT, registers their clients with
    /// <c>Amazon.RuntimeDependencyRegistry.GlobalRuntimeDependencyRegistry</c>).</summary>
    public AWSCredentials? Credentials { get; init; }

    /// <summary>Attempts per call, the first included. Throttling, 5xx answers, timeouts and
    /// transient network faults are retried; client faults (other 4xx) never are.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The backoff before retry n is drawn uniformly from [0, min(MaxRetryDelay, BaseRetryDelay·2ⁿ⁻¹)] (full jitter).</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The cap on a single backoff.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long one attempt of an ordinary call may take.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one attempt of PollForActivityTask/PollForDecisionTask may take. SWF holds a
    /// long poll for up to 60 s, so this must be longer (70 s is what the AWS SDKs use).</summary>
    public TimeSpan LongPollTimeout { get; init; } = TimeSpan.FromSeconds(70);

    /// <summary>The HTTP stack to send through (a proxy, a test server's handler). The client does not
    /// dispose it. When null, the client owns a <see cref="SocketsHttpHandler"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>The clock for signing dates and backoff delays.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
