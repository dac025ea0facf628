using Amazon.Runtime;
using Flow.Swf;

// Usage: Flow.AotCheck <endpoint-url>   e.g. http://127.0.0.1:5000 (moto_server or flow dev)
// Registers a domain (if new), then lists domains and checks it is there: one call each way
// through serialization, signing, the HTTP stack and fault mapping, compiled ahead of time.
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var endpoint))
{
    Console.Error.WriteLine("usage: Flow.AotCheck <endpoint-url>");
    return 2;
}

using var client = new SwfClient(new SwfClientOptions
{
    ServiceUrl = endpoint,
    Region = "us-east-1",
    // Dummy credentials unless the environment supplies some (then the SDK's default chain finds them).
    Credentials = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID") is null ? new BasicAWSCredentials("AKIDAOTCHECK", "aot-check-secret") : null,
    MaxAttempts = 2,
});

const string domain = "flow-aot-check";
try
{
    await client.RegisterDomainAsync(new RegisterDomainInput { Name = domain, WorkflowExecutionRetentionPeriodInDays = "1" });
}
catch (DomainAlreadyExistsException)
{
    // A second run against the same server.
}

int seen = 0;
bool found = false;
await foreach (var info in client.ListAllDomainsAsync(new ListDomainsInput { RegistrationStatus = RegistrationStatus.Registered }))
{
    seen++;
    found |= info.Name == domain;
}
Console.WriteLine($"{seen} registered domain(s); {domain} {(found ? "found" : "MISSING")}");
return found ? 0 : 1;
