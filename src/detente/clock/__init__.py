"""The negotiation clock: dated bargaining solved by backward induction, simulated, explained."""
