using MigrationPortal.Application.Abstractions;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// One named step of a migration's itinerary, in the manner of Forklift's pipeline steps: the runner
/// (<see cref="RunMigration"/>) loops over an <see cref="ItineraryDefinition"/>'s steps, skips those that do not apply to
/// the plan, and resumes at the first one whose persisted row has not succeeded or been skipped.
/// </summary>
public interface IItineraryStep
{
    /// <summary>The step's name, one of <see cref="Domain.Requests.ItinerarySteps"/>: stored on the request's step row and in the audit trail.</summary>
    string Name { get; }

    /// <summary>Where the step stands in a move; the runner's cancel guard and ending rules follow from it.</summary>
    StepStage Stage { get; }

    /// <summary>Whether the step belongs in this plan (by source kind, destination kind, migration kind or options).</summary>
    bool AppliesTo(MigrationPlan plan);

    /// <summary>Runs the step from its start. Hypervisor faults are <see cref="ConnectorException"/>s; the runner ends the step Failed on them.</summary>
    Task<StepOutcome> RunAsync(StepContext context);

    /// <summary>
    /// Continues a step that an earlier run started and never ended (the node died, the job was retried): it finds out what
    /// the hypervisor did meanwhile instead of doing it again.
    /// </summary>
    Task<StepOutcome> ReconcileAsync(StepContext context);
}

/// <summary>Where a step stands in a move.</summary>
public enum StepStage
{
    /// <summary>Before anything moves (precheck, snapshot, encryption): a cancel asked for now stops the run before the step.</summary>
    Preparation,

    /// <summary>The transfer: a cancel asked before it starts stops the run; once it runs, the hypervisor is asked to cancel.</summary>
    Transfer,

    /// <summary>After the transfer (verify): the VM has moved, a cancel no longer applies.</summary>
    Completion,

    /// <summary>Clean-up: runs on every ending (succeeded, failed, cancelled), with <see cref="StepContext.Ending"/> set.</summary>
    CleanUp,
}
