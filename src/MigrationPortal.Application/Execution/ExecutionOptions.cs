using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MigrationPortal.Application.Execution;

/// <summary>
/// Bound from "Execution": how a node names itself on its run leases and how fast a dead node's requests are taken
/// over. A request held by a node that dies runs again on a live node after at most
/// <see cref="StaleAfter"/> + the reconcile interval (Hangfire:ReconcileCron) + a queue poll, about 45 s by default.
/// The nodes compare heartbeats written by each other's clocks, so clock skew between nodes must stay well below
/// <see cref="StaleAfter"/> − <see cref="HeartbeatInterval"/> (see docs/operations.md).
/// </summary>
public sealed class ExecutionOptions
{
    public const string Section = "Execution";

    /// <summary>This node's name on the leases it holds. Empty: machine name, process ID and a random suffix.</summary>
    [MaxLength(128)]
    public string? NodeName { get; set; }

    /// <summary>How often a running migration renews its lease.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How old a lease's heartbeat must be before another run may take the request over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many times a running migration asks the hypervisor to cancel before it gives up and records the refusal (with the
    /// hypervisor's reason) on the request and in the audit. The attempts are one cancel-poll apart.
    /// </summary>
    [Range(1, 20)]
    public int CancelAttempts { get; set; } = 3;

    private static readonly string DefaultNode = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The name this process writes on its leases.</summary>
    public string Node => string.IsNullOrWhiteSpace(NodeName) ? DefaultNode : NodeName.Trim();
}

/// <summary>A lease must survive a few missed heartbeats (a slow database, a GC pause) before it counts as stale.</summary>
public sealed class ExecutionOptionsValidator : IValidateOptions<ExecutionOptions>
{
    public ValidateOptionsResult Validate(string? name, ExecutionOptions options) =>
        options.StaleAfter < options.HeartbeatInterval * 3
            ? ValidateOptionsResult.Fail($"Execution:StaleAfter ({options.StaleAfter}) must be at least three heartbeats (Execution:HeartbeatInterval is {options.HeartbeatInterval}).")
            : ValidateOptionsResult.Success;
}
