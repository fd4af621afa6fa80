module attributes {i = array<index: 1>} {}
