global using ActionTracker.Domain.ActionItems;
