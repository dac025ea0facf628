using Microsoft.CodeAnalysis;

namespace Flow.Generators.Analyzers;

/// <summary>The types the analyzers recognize, resolved by metadata name once per compilation.</summary>
internal sealed class FlowSymbols
{
    private FlowSymbols(Compilation compilation, INamedTypeSymbol activities, INamedTypeSymbol workflow)
    {
        Activities = activities;
        Workflow = workflow;
        Activity = compilation.GetTypeByMetadataName("Flow.ActivityAttribute");
        Execute = compilation.GetTypeByMetadataName("Flow.ExecuteAttribute");
        Signal = compilation.GetTypeByMetadataName("Flow.SignalAttribute");
        GetState = compilation.GetTypeByMetadataName("Flow.GetStateAttribute");
        Task = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task");
        TaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.Task`1");
        ValueTask = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask");
        ValueTaskOfT = compilation.GetTypeByMetadataName("System.Threading.Tasks.ValueTask`1");
        CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
    }

    public INamedTypeSymbol Activities { get; }
    public INamedTypeSymbol Workflow { get; }
    public INamedTypeSymbol? Activity { get; }
    public INamedTypeSymbol? Execute { get; }
    public INamedTypeSymbol? Signal { get; }
    public INamedTypeSymbol? GetState { get; }
    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTask { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? CancellationToken { get; }

    /// <summary>Null when the compilation does not reference Flow: then there is nothing to check.</summary>
    public static FlowSymbols? Create(Compilation compilation)
    {
        var activities = compilation.GetTypeByMetadataName("Flow.ActivitiesAttribute");
        var workflow = compilation.GetTypeByMetadataName("Flow.WorkflowAttribute");
        return activities is null || workflow is null ? null : new FlowSymbols(compilation, activities, workflow);
    }

    public AttributeData? Find(ISymbol symbol, INamedTypeSymbol? attributeType)
    {
        if (attributeType is null)
            return null;
        foreach (var attribute in symbol.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
                return attribute;
        }
        return null;
    }

    public bool Has(ISymbol symbol, INamedTypeSymbol? attributeType) => Find(symbol, attributeType) is not null;

    public bool IsTask(ITypeSymbol type) =>
        SymbolEqualityComparer.Default.Equals(type, Task)
        || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, TaskOfT);

    public bool IsAwaitable(ITypeSymbol type) =>
        IsTask(type)
        || SymbolEqualityComparer.Default.Equals(type, ValueTask)
        || SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, ValueTaskOfT);

    public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);
}
