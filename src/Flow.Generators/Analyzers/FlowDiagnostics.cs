using Microsoft.CodeAnalysis;

namespace Flow.Generators.Analyzers;

/// <summary>Every diagnostic Flow reports. DIAGNOSTICS.md lists them with a fix for each; keep both in step.</summary>
internal static class FlowDiagnostics
{
    private const string Category = "Flow";

    private static DiagnosticDescriptor Error(string id, string title, string message, params string[] tags) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true, customTags: tags);

    private static DiagnosticDescriptor Warning(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    // Contract shape (ContractShapeAnalyzer).

    public static readonly DiagnosticDescriptor ContractNotPartial = Error("FLOW001",
        "Contract must be partial",
        "'{0}' must be declared partial so the generator can extend it{1}");

    public static readonly DiagnosticDescriptor ContractNotInterface = Error("FLOW002",
        "Contract must be an interface",
        "[{0}] applies to interfaces only; declare '{1}' as a partial interface and implement it in a class");

    public static readonly DiagnosticDescriptor ContractIsGeneric = Error("FLOW003",
        "Contract cannot be generic",
        "Contract '{0}' cannot have type parameters{1} because SWF type names are fixed; remove them and use concrete parameter types");

    public static readonly DiagnosticDescriptor ContractKindsMixed = Error("FLOW004",
        "Contract is both activities and workflow",
        "'{0}' has both [Activities] and [Workflow]; split it into an activities interface and a workflow interface");

    public static readonly DiagnosticDescriptor WorkflowWithoutExecute = Error("FLOW005",
        "Workflow has no [Execute] method",
        "Workflow contract '{0}' has no [Execute] method; mark the method that runs the workflow with [Execute]");

    public static readonly DiagnosticDescriptor WorkflowWithSeveralExecute = Error("FLOW006",
        "Workflow has more than one [Execute] method",
        "Workflow contract '{0}' has {1} [Execute] methods; keep [Execute] on one and make the others [Signal] methods or remove them");

    public static readonly DiagnosticDescriptor AttributeOutsideContract = Error("FLOW007",
        "Attribute used outside its contract",
        "[{0}] only means something on a member of a [{1}] interface; move '{2}' into one or remove the attribute");

    public static readonly DiagnosticDescriptor SeveralGetState = Error("FLOW008",
        "Workflow has more than one [GetState] member",
        "Workflow contract '{0}' has {1} [GetState] members; keep one and put everything clients should see into its type");

    public static readonly DiagnosticDescriptor GetStateShape = Error("FLOW009",
        "[GetState] member has the wrong shape",
        "[GetState] '{0}' {1}; use a readable property or a parameterless method that returns the state synchronously");

    public static readonly DiagnosticDescriptor WorkflowMemberWithoutRole = Error("FLOW010",
        "Workflow method has no role",
        "Method '{0}' of workflow contract '{1}' has no role; mark it [Execute], [Signal] or [GetState], or move it out of the contract");

    public static readonly DiagnosticDescriptor ConflictingRoles = Error("FLOW011",
        "Workflow member has several roles",
        "'{0}' is marked {1}; keep exactly one of [Execute], [Signal] and [GetState]");

    public static readonly DiagnosticDescriptor UnsupportedMember = Error("FLOW012",
        "Contract member is not supported",
        "'{0}' {1}; contracts declare only abstract methods (and one [GetState] property in a workflow), so move it to a class or an extension method");

    public static readonly DiagnosticDescriptor OverloadedMethod = Error("FLOW013",
        "Contract method is overloaded",
        "Contract '{0}' has {1} methods named '{2}', but each method is its own SWF type or signal; give each a distinct name");

    public static readonly DiagnosticDescriptor ByRefOrPointerParameter = Error("FLOW014",
        "Parameter passed by reference or as a pointer",
        "Parameter '{0}' is {1}, which cannot travel through SWF; pass it by value and return results instead");

    public static readonly DiagnosticDescriptor GenericMethod = Error("FLOW015",
        "Contract method is generic",
        "Method '{0}' has type parameters, but SWF types are not generic; use concrete types, or one method per type");

    public static readonly DiagnosticDescriptor UnserializableType = Error("FLOW016",
        "Type cannot be serialized",
        "{0} has type '{1}', which cannot be serialized to JSON; use an array, a string or a serializable record");

    public static readonly DiagnosticDescriptor TaskReturnRequired = Error("FLOW017",
        "Method must return Task or Task<T>",
        "{0} '{1}' returns '{2}'; make it return Task, or Task<T> for a result");

    public static readonly DiagnosticDescriptor SignalReturnType = Error("FLOW018",
        "Signal must return Task or void",
        "[Signal] '{0}' returns '{1}', but a signal has no result; make it return Task (or void when it only updates state)");

    public static readonly DiagnosticDescriptor CancellationTokenNotLast = Error("FLOW019",
        "CancellationToken must be the last parameter",
        "CancellationToken '{0}' of activity '{1}' must be its last and only token parameter; move it to the end");

    public static readonly DiagnosticDescriptor CancellationTokenInWorkflow = Error("FLOW020",
        "Workflow method takes a CancellationToken",
        "Workflow method '{0}' cannot take a CancellationToken, because SWF does not carry it; remove '{1}' and use Workflow.CancellationToken inside the workflow");

    public static readonly DiagnosticDescriptor InheritedMembers = Error("FLOW029",
        "Contract inherits interface members",
        "Contract '{0}' inherits members from '{1}', which the generated clients do not implement; declare those members in the contract itself");

    public static readonly DiagnosticDescriptor GeneratedMemberCollision = Error("FLOW030",
        "Contract member collides with a generated member",
        "'{0}' would become '{1}', {2}; rename the method");

    public static readonly DiagnosticDescriptor GeneratedTypeCollision = Error("FLOW031",
        "Two contracts generate the same type",
        "Contracts '{0}' and '{1}' would both generate '{2}' in the same scope; rename one of them");

    public static readonly DiagnosticDescriptor GeneratedTypeNameTaken = Error("FLOW032",
        "A generated type's name is taken",
        "Contract '{0}' would generate '{1}', {2}; rename the contract or the other declaration");

    // SWF names, values and uniqueness (SwfTypeAnalyzer).

    public static readonly DiagnosticDescriptor InvalidName = Error("FLOW021",
        "Name that SWF would reject",
        "{0} {1} is invalid: {2}");

    public static readonly DiagnosticDescriptor InvalidVersion = Error("FLOW022",
        "Version that SWF would reject",
        "Version {0} is invalid: {1}");

    public static readonly DiagnosticDescriptor InvalidTaskList = Error("FLOW023",
        "Task list that SWF would reject",
        "Task list {0} is invalid: {1}");

    public static readonly DiagnosticDescriptor InvalidTimeout = Error("FLOW024",
        "Timeout that cannot be parsed or that SWF would reject",
        "{0} = {1} is invalid: {2}");

    public static readonly DiagnosticDescriptor InvalidChildPolicy = Error("FLOW025",
        "Unknown child policy",
        "ChildPolicy {0} is not one SWF knows; use \"TERMINATE\", \"REQUEST_CANCEL\" or \"ABANDON\"");

    public static readonly DiagnosticDescriptor DuplicateSignalName = Error("FLOW026",
        "Two signals share a name",
        "Signal name {0} is used by {1} in workflow contract '{2}'; give one of them [Signal(Name = \"...\")] with another name");

    public static readonly DiagnosticDescriptor DuplicateTypeName = Error("FLOW027",
        "Two contracts declare the same SWF type",
        "{0} type {1} version {2} is also declared by {3}; give one of them another name or version",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor DescriptionTooLong = Error("FLOW028",
        "Description longer than SWF allows",
        "Description has {0} characters, and SWF allows at most 1024; shorten it");

    // Determinism of workflow code (WorkflowDeterminismAnalyzer). Warnings: the code runs, but replay may diverge.

    public static readonly DiagnosticDescriptor NonDeterministicTime = Warning("FLOW050",
        "Workflow code reads the clock",
        "'{0}' differs on every replay; use Workflow.UtcNow, the time of the current decision");

    public static readonly DiagnosticDescriptor NonDeterministicGuid = Warning("FLOW051",
        "Workflow code creates a random Guid",
        "'{0}' differs on every replay; use Workflow.NewGuid()");

    public static readonly DiagnosticDescriptor NonDurableDelay = Warning("FLOW052",
        "Workflow code waits on a local timer",
        "'{0}' is not recorded in the history and blocks or escapes the workflow scheduler; use await Workflow.DelayAsync(...), a durable SWF timer");

    public static readonly DiagnosticDescriptor NonDeterministicRandom = Warning("FLOW053",
        "Workflow code uses an unseeded Random",
        "'{0}' differs on every replay; use Workflow.Random, which is seeded per run");

    public static readonly DiagnosticDescriptor EscapesScheduler = Warning("FLOW054",
        "Workflow code runs work on the thread pool",
        "'{0}' runs outside the workflow scheduler, so replay cannot order it; await the work directly, or move it into an activity");

    public static readonly DiagnosticDescriptor ConfigureAwaitFalse = Warning("FLOW055",
        "Workflow code uses ConfigureAwait(false)",
        "ConfigureAwait(false) resumes on the thread pool, outside the workflow scheduler; remove it (workflow code must keep its context)");

    public static readonly DiagnosticDescriptor BlocksOnTask = Warning("FLOW056",
        "Workflow code blocks on a task",
        "'{0}' blocks the workflow's only thread, but a workflow task completes only after the decision hands control back to the " +
        "scheduler: the decision deadlocks; use await");
}
