using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Flow.Generators.Analyzers;

/// <summary>Warns about calls in workflow classes (those implementing a [Workflow] contract) that give a
/// different answer on replay, or run code outside the workflow's scheduler, and names the deterministic
/// replacement from <c>Flow.Workflow</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class WorkflowDeterminismAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        FlowDiagnostics.NonDeterministicTime,
        FlowDiagnostics.NonDeterministicGuid,
        FlowDiagnostics.NonDurableDelay,
        FlowDiagnostics.NonDeterministicRandom,
        FlowDiagnostics.EscapesScheduler,
        FlowDiagnostics.ConfigureAwaitFalse,
        FlowDiagnostics.BlocksOnTask);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (FlowSymbols.Create(start.Compilation) is not { } flow)
                return;
            var types = new DeterminismSymbols(start.Compilation);
            start.RegisterSymbolStartAction(symbolStart =>
            {
                var type = (INamedTypeSymbol)symbolStart.Symbol;
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct)
                    || !type.AllInterfaces.Any(i => flow.Has(i, flow.Workflow)))
                    return;
                symbolStart.RegisterOperationAction(c => AnalyzeProperty(c, types), OperationKind.PropertyReference);
                symbolStart.RegisterOperationAction(c => AnalyzeInvocation(c, types), OperationKind.Invocation);
                symbolStart.RegisterOperationAction(c => AnalyzeCreation(c, types), OperationKind.ObjectCreation);
            }, SymbolKind.NamedType);
        });
    }

    private sealed class DeterminismSymbols(Compilation compilation)
    {
        public INamedTypeSymbol? DateTime { get; } = compilation.GetTypeByMetadataName("System.DateTime");
        public INamedTypeSymbol? DateTimeOffset { get; } = compilation.GetTypeByMetadataName("System.DateTimeOffset");
        public INamedTypeSymbol? Guid { get; } = compilation.GetTypeByMetadataName("System.Guid");
        public INamedTypeSymbol? Random { get; } = compilation.GetTypeByMetadataName("System.Random");
        public INamedTypeSymbol? Task { get; } = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        public INamedTypeSymbol? TaskOfT { get; } = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        public INamedTypeSymbol? ValueTaskOfT { get; } = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        public INamedTypeSymbol? TaskFactory { get; } = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory");
        public INamedTypeSymbol? TaskFactoryOfT { get; } = compilation.GetTypeByMetadataName("System.Threading.Tasks.TaskFactory`1");
        public INamedTypeSymbol? Thread { get; } = compilation.GetTypeByMetadataName("System.Threading.Thread");
        public INamedTypeSymbol? ThreadPool { get; } = compilation.GetTypeByMetadataName("System.Threading.ThreadPool");
        public INamedTypeSymbol? CancellationTokenSource { get; } = compilation.GetTypeByMetadataName("System.Threading.CancellationTokenSource");
        public INamedTypeSymbol? Workflow { get; } = compilation.GetTypeByMetadataName("Flow.Workflow");
    }

    /// <summary>Code in a lambda given to Workflow.SideEffectAsync runs once and is recorded as a marker, so it may
    /// read the clock or make a Guid: that is what SideEffect is for.</summary>
    private static bool InSideEffect(IOperation operation, DeterminismSymbols types)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IInvocationOperation { TargetMethod.Name: "SideEffectAsync" } invocation
                && Is(invocation.TargetMethod.ContainingType, types.Workflow))
                return true;
        }
        return false;
    }

    private static void AnalyzeProperty(OperationAnalysisContext context, DeterminismSymbols types)
    {
        var property = ((IPropertyReferenceOperation)context.Operation).Property;
        var owner = property.ContainingType;
        if (!property.IsStatic)
        {
            if (property.Name == "Result" && (Is(owner.OriginalDefinition, types.TaskOfT) || Is(owner.OriginalDefinition, types.ValueTaskOfT)))
                Report(context, FlowDiagnostics.BlocksOnTask, $"{owner.Name}.Result");
            return;
        }
        if ((Is(owner, types.DateTime) && property.Name is "Now" or "UtcNow" or "Today")
            || (Is(owner, types.DateTimeOffset) && property.Name is "Now" or "UtcNow"))
            Report(context, FlowDiagnostics.NonDeterministicTime, $"{owner.Name}.{property.Name}", types);
        else if (Is(owner, types.Random) && property.Name == "Shared")
            Report(context, FlowDiagnostics.NonDeterministicRandom, "Random.Shared", types);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, DeterminismSymbols types)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        var owner = method.ContainingType;
        var name = $"{owner.Name}.{method.Name}";
        if (Is(owner, types.Guid) && method.Name is "NewGuid" or "CreateVersion7")
            Report(context, FlowDiagnostics.NonDeterministicGuid, name + "()", types);
        else if ((Is(owner, types.Task) && method.Name == "Delay") || (Is(owner, types.Thread) && method.Name == "Sleep"))
            Report(context, FlowDiagnostics.NonDurableDelay, name);
        else if ((Is(owner, types.Task) && method.Name == "Run")
            || ((Is(owner, types.TaskFactory) || Is(owner.OriginalDefinition, types.TaskFactoryOfT)) && method.Name == "StartNew")
            || (Is(owner, types.ThreadPool) && method.Name.EndsWith("QueueUserWorkItem", StringComparison.Ordinal))
            // CancelAsync runs the token's callbacks on the thread pool: the awaiting workflow code would resume there.
            || (Is(owner, types.CancellationTokenSource) && method.Name == "CancelAsync"))
            Report(context, FlowDiagnostics.EscapesScheduler, name);
        else if (method.Name == "ConfigureAwait" && LeavesContext(invocation))
            context.ReportDiagnostic(Diagnostic.Create(FlowDiagnostics.ConfigureAwaitFalse, invocation.Syntax.GetLocation()));
        else if (Blocks(method, types))
            Report(context, FlowDiagnostics.BlocksOnTask, name);
    }

    /// <summary>Task.Wait, Task.WaitAll, Task.WaitAny, and GetResult on a task's awaiter (GetAwaiter().GetResult(), also
    /// after ConfigureAwait): each waits on the thread that would have to run the continuation that completes the task.
    /// Awaiting calls GetResult too, but as an await operation, not an invocation.</summary>
    private static bool Blocks(IMethodSymbol method, DeterminismSymbols types)
    {
        var owner = method.ContainingType;
        if (Is(owner, types.Task) || Is(owner.OriginalDefinition, types.TaskOfT))
            return method.Name is "Wait" or "WaitAll" or "WaitAny";
        if (method.Name != "GetResult")
            return false;
        // TaskAwaiter, ValueTaskAwaiter, Configured(Value)TaskAwaitable.Configured(Value)TaskAwaiter, with or without a result;
        // YieldAwaitable.YieldAwaiter returns at once.
        return owner.Name is "TaskAwaiter" or "ValueTaskAwaiter" or "ConfiguredTaskAwaiter" or "ConfiguredValueTaskAwaiter"
            && owner.ContainingNamespace?.ToDisplayString() == "System.Runtime.CompilerServices";
    }

    /// <summary>ConfigureAwait(false), or ConfigureAwaitOptions without ContinueOnCapturedContext.</summary>
    private static bool LeavesContext(IInvocationOperation invocation)
    {
        if (invocation.Arguments.Length == 0)
            return false;
        var value = invocation.Arguments[invocation.Arguments.Length - 1].Value.ConstantValue;
        if (!value.HasValue)
            return false;
        return value.Value switch
        {
            bool continueOnCapturedContext => !continueOnCapturedContext,
            int options => (options & 1) == 0, // ConfigureAwaitOptions.ContinueOnCapturedContext
            _ => false,
        };
    }

    private static void AnalyzeCreation(OperationAnalysisContext context, DeterminismSymbols types)
    {
        var creation = (IObjectCreationOperation)context.Operation;
        var type = creation.Type;
        if (Is(type, types.Random) && creation.Arguments.Length == 0)
            Report(context, FlowDiagnostics.NonDeterministicRandom, "new Random()", types);
        else if (Is(type, types.Thread))
            Report(context, FlowDiagnostics.EscapesScheduler, "new Thread(...)");
    }

    private static bool Is(ITypeSymbol? a, INamedTypeSymbol? b) => b is not null && SymbolEqualityComparer.Default.Equals(a, b);

    private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, string what) =>
        context.ReportDiagnostic(Diagnostic.Create(descriptor, context.Operation.Syntax.GetLocation(), what));

    private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, string what, DeterminismSymbols types)
    {
        if (!InSideEffect(context.Operation, types))
            Report(context, descriptor, what);
    }
}
