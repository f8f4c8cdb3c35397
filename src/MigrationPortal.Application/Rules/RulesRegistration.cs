using Microsoft.Extensions.DependencyInjection;

namespace MigrationPortal.Application.Rules;

public static class RulesRegistration
{
    /// <summary>The placement-rule and headroom use cases and the precheck they feed, registered like every other use case.</summary>
    public static IServiceCollection AddRuleUseCases(this IServiceCollection services) => services
        .AddScoped<ListRules>()
        .AddScoped<CreateRule>()
        .AddScoped<UpdateRule>()
        .AddScoped<DeleteRule>()
        .AddScoped<ListHeadroom>()
        .AddScoped<SetClusterHeadroom>()
        .AddScoped<RulePrechecks>();
}
