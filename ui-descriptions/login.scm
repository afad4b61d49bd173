; login.scm: who are you? Shown whenever nobody is signed in.
(window name login title (_ "Palaver")
  (vbox name form role form
    (label name heading role heading text (_ "Welcome to Palaver"))
    (label text (_ "Your name"))
    (textbox name username max-length 32 placeholder (_ "Pick a name") (on submit sign-in))
    (label text (_ "Password (only for a registered name)"))
    (textbox name password secret #t max-length 256 (on submit sign-in))
    (button name enter role primary text (_ "Sign in") (on click sign-in))
    (label name error role error text "")))
