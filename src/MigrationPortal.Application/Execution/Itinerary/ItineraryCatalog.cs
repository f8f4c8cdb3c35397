using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>A chosen itinerary: its main steps and the clean-up steps that run on every ending.</summary>
public sealed record ChosenItinerary(string Name, IReadOnlyList<IItineraryStep> Steps, IReadOnlyList<IItineraryStep> CleanUpSteps)
{
    public IEnumerable<IItineraryStep> All => Steps.Concat(CleanUpSteps);
}

/// <summary>Chooses a request's itinerary per (source kind, destination kind, migration kind) from the registered definitions.</summary>
public sealed class ItineraryCatalog(IEnumerable<ItineraryDefinition> definitions, IEnumerable<IItineraryStep> steps)
{
    private readonly IReadOnlyList<ItineraryDefinition> _definitions = definitions.ToList();
    private readonly IReadOnlyDictionary<string, IItineraryStep> _steps = steps.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.Last());

    public ChosenItinerary For(MigrationPlan plan) => For(plan.Source.Kind, plan.Destination.Kind, plan.Kind);

    public ChosenItinerary For(string sourceKind, string destinationKind, MigrationKind kind)
    {
        var definition = _definitions
            .Select((d, i) => (d, i))
            .Where(x => x.d.Matches(sourceKind, destinationKind, kind))
            .OrderByDescending(x => x.d.Specificity).ThenByDescending(x => x.i)
            .Select(x => x.d)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"No itinerary is registered for {kind} moves from '{sourceKind}' to '{destinationKind}'.");
        return new ChosenItinerary(definition.Name, definition.Steps.Select(Step).ToList(), definition.CleanUpSteps.Select(Step).ToList());
    }

    /// <summary>
    /// Whether the portal can convert a VM from one kind of connection to another: a registered definition is for
    /// cross-platform moves and names both kinds. A catch-all definition (a null kind) never counts, since it was not
    /// written for that pair.
    /// </summary>
    public bool Converts(string sourceKind, string destinationKind) =>
        _definitions.Any(d => d.Kind == MigrationKind.CrossPlatform && d.SourceKind is not null && d.DestinationKind is not null
            && d.Matches(sourceKind, destinationKind, MigrationKind.CrossPlatform));

    private IItineraryStep Step(string name) =>
        _steps.TryGetValue(name, out var step) ? step : throw new InvalidOperationException($"The itinerary names a step '{name}' that is not registered.");
}
