; register.scm: set a password so that nobody else can take one's name.
(popup name register title (_ "Keep my name") (on cancel close)
  (label text (_ "Choose a password. You will need it to sign in under this name."))
  (textbox name password secret #t max-length 256)
  (label text (_ "Repeat it"))
  (textbox name repeat secret #t max-length 256 (on submit save-password))
  (label name error role error text "")
  (hbox
    (button name save role primary text (_ "Save") (on click save-password))
    (button name cancel text (_ "Cancel") (on click close))))
