/**
 * What customers write, by the stars they gave: the words fit the score, so a poor rating reads like one. Slots in
 * braces are filled with faker's airline data: {airport}, {seat}, {flight}.
 */
export const phrasesByStars: Record<1 | 2 | 3 | 4 | 5, readonly string[]> = {
  1: [
    'Three hours on the tarmac at {airport} and not one announcement. Never again.',
    'Seat {seat} was broken and nobody could be bothered to help.',
    'My bag went somewhere that was not {airport}. Day four, still waiting.',
    'Cancelled at the gate, rebooked for tomorrow, no hotel. Thanks for nothing.',
    'Rude crew, cold food, late departure. The full set. #neveragain',
    'Flight {flight} was the worst trip I have taken in years.',
  ],
  2: [
    'Delayed again. The app said on time until we were standing at the gate.',
    'The legroom in {seat} would be tight for a child.',
    'Crew were fine but the cabin was filthy.',
    'Paid for wifi that never connected. Refund please.',
    'Boarding at {airport} was a scrum. Sort it out.',
    'Forty minutes late into {airport} and missed my connection.',
  ],
  3: [
    'An okay flight. Nothing special, nothing terrible.',
    'Twenty minutes late, but the crew kept us posted.',
    'Comfortable enough. The snacks could be better.',
    'Average. Got to {airport} in one piece.',
    'Seat {seat} was fine, the entertainment system was not.',
  ],
  4: [
    'Smooth flight and a friendly crew. Would fly again.',
    'On time, good value, and {seat} had decent legroom.',
    'Quick boarding at {airport}, nice touch with the free coffee.',
    'Flight {flight} left a little late but made up the time.',
    'Clean cabin, polite staff, no complaints.',
  ],
  5: [
    'Landed early and my bag was first off the belt. Brilliant!',
    'The crew on flight {flight} were fantastic. Thank you!',
    'Best flight I have had in years. #loyal',
    'Upgraded to {seat} for nothing. Made my week.',
    'Lovely welcome at {airport} and a perfectly smooth ride.',
  ],
};
